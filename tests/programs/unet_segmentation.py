# Stands for: the widely used PyTorch U-Net for image segmentation (the milesial Pytorch-UNet
# model and its training loop): DoubleConv blocks (Conv2d without bias, BatchNorm2d, ReLU),
# Down (MaxPool2d then DoubleConv), Up (ConvTranspose2d or bilinear nn.Upsample, the skip
# connection padded with F.pad by the size difference before torch.cat), OutConv, and a loss of
# CrossEntropyLoss plus a multiclass Dice loss built from F.one_hot(...).permute(0, 3, 1, 2)
# and softmax, with RMSprop, a ReduceLROnPlateau scheduler, gradient clipping, and an
# evaluation pass computing the Dice score. Images and masks are random and small.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad import optim


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True)
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class OutConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super(OutConv, self).__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False):
        super(UNet, self).__init__()
        self.n_channels = n_channels
        self.n_classes = n_classes
        self.bilinear = bilinear
        self.inc = DoubleConv(n_channels, 4)
        self.down1 = Down(4, 8)
        factor = 2 if bilinear else 1
        self.down2 = Down(8, 16 // factor)
        self.up1 = Up(16, 8 // factor, bilinear)
        self.up2 = Up(8, 4, bilinear)
        self.outc = OutConv(4, n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        logits = self.outc(x)
        return logits


def dice_coeff(input, target, reduce_batch_first=False, epsilon=1e-6):
    assert input.size() == target.size()
    assert input.dim() == 3 or not reduce_batch_first
    sum_dim = (-1, -2) if input.dim() == 2 or not reduce_batch_first else (-1, -2, -3)
    inter = 2 * (input * target).sum(dim=sum_dim)
    sets_sum = input.sum(dim=sum_dim) + target.sum(dim=sum_dim)
    sets_sum = torch.where(sets_sum == 0, inter, sets_sum)
    dice = (inter + epsilon) / (sets_sum + epsilon)
    return dice.mean()


def multiclass_dice_coeff(input, target, reduce_batch_first=False, epsilon=1e-6):
    return dice_coeff(input.flatten(0, 1), target.flatten(0, 1), reduce_batch_first, epsilon)


def dice_loss(input, target, multiclass=False):
    fn = multiclass_dice_coeff if multiclass else dice_coeff
    return 1 - fn(input, target, reduce_batch_first=True)


def evaluate(net, images, masks):
    net.eval()
    dice_score = 0
    with torch.no_grad():
        mask_pred = net(images)
        mask_true = F.one_hot(masks, net.n_classes).permute(0, 3, 1, 2).float()
        mask_pred = F.one_hot(mask_pred.argmax(dim=1), net.n_classes).permute(0, 3, 1, 2).float()
        dice_score += multiclass_dice_coeff(mask_pred[:, 1:], mask_true[:, 1:],
                                            reduce_batch_first=False)
    net.train()
    return dice_score


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    images = torch.tensor(rng.random((2, 3, 18, 18), dtype=np.float32))
    masks = torch.tensor(rng.integers(0, 3, (2, 18, 18)))
    losses, initial = [], {}
    for bilinear in (False, True):
        model = UNet(n_channels=3, n_classes=3, bilinear=bilinear)
        prefix = f"{bilinear}."
        if state is not None:
            model.load_state_dict({k[len(prefix):]: torch.tensor(v) for k, v in state.items()
                                   if k.startswith(prefix)})
        initial.update({prefix + k: v.detach().numpy().copy()
                        for k, v in model.state_dict().items()})
        optimizer = optim.RMSprop(model.parameters(), lr=1e-5, weight_decay=1e-8, momentum=0.999,
                                  foreach=True)
        scheduler = optim.lr_scheduler.ReduceLROnPlateau(optimizer, 'max', patience=5)
        criterion = nn.CrossEntropyLoss()
        model.train()
        for _ in range(steps):
            masks_pred = model(images)
            loss = criterion(masks_pred, masks)
            loss += dice_loss(F.softmax(masks_pred, dim=1).float(),
                              F.one_hot(masks, model.n_classes).permute(0, 3, 1, 2).float(),
                              multiclass=True)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            losses.append(loss.item())
        val_score = evaluate(model, images, masks)
        scheduler.step(val_score)
        losses.append(float(val_score))
    return {"losses": losses, "initial": initial}
