# Stands for: the official PyTorch tutorial "Writing Custom Datasets, DataLoaders and
# Transforms": a face-landmarks Dataset whose __getitem__ takes torch.is_tensor indices
# (idx.tolist()) and returns a dict sample {'image', 'landmarks'}, callable transform classes
# (Rescale, RandomCrop, ToTensor with image.transpose((2, 0, 1)) and torch.from_numpy)
# chained with transforms.Compose, a DataLoader batching the dict samples with shuffle, and a
# grid of the batch made by hand. The CSV of landmarks and the images are generated; the
# network regressing the landmarks is a small CNN trained for a few steps.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
from minigrad.utils.data import DataLoader, Dataset


class FaceLandmarksDataset(Dataset):
    """Face Landmarks dataset."""

    def __init__(self, frame, images, transform=None):
        self.landmarks_frame = frame
        self.images = images
        self.transform = transform

    def __len__(self):
        return len(self.landmarks_frame)

    def __getitem__(self, idx):
        if torch.is_tensor(idx):
            idx = idx.tolist()
        image = self.images[idx]
        landmarks = np.array([self.landmarks_frame[idx][1:]])
        landmarks = landmarks.astype('float').reshape(-1, 2)
        sample = {'image': image, 'landmarks': landmarks}
        if self.transform:
            sample = self.transform(sample)
        return sample


class Rescale(object):
    """Rescale the image in a sample to a given size (nearest neighbour here)."""

    def __init__(self, output_size):
        assert isinstance(output_size, (int, tuple))
        self.output_size = output_size

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        h, w = image.shape[:2]
        if isinstance(self.output_size, int):
            if h > w:
                new_h, new_w = self.output_size * h / w, self.output_size
            else:
                new_h, new_w = self.output_size, self.output_size * w / h
        else:
            new_h, new_w = self.output_size
        new_h, new_w = int(new_h), int(new_w)
        rows = (np.arange(new_h) * h // new_h)
        cols = (np.arange(new_w) * w // new_w)
        img = image[rows][:, cols]
        # h and w are swapped for landmarks because for images,
        # x and y axes are axis 1 and 0 respectively
        landmarks = landmarks * [new_w / w, new_h / h]
        return {'image': img, 'landmarks': landmarks}


class RandomCrop(object):
    """Crop randomly the image in a sample."""

    def __init__(self, output_size, rng):
        assert isinstance(output_size, (int, tuple))
        if isinstance(output_size, int):
            self.output_size = (output_size, output_size)
        else:
            assert len(output_size) == 2
            self.output_size = output_size
        self.rng = rng

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        h, w = image.shape[:2]
        new_h, new_w = self.output_size
        top = self.rng.integers(0, h - new_h + 1)
        left = self.rng.integers(0, w - new_w + 1)
        image = image[top: top + new_h, left: left + new_w]
        landmarks = landmarks - [left, top]
        return {'image': image, 'landmarks': landmarks}


class ToTensor(object):
    """Convert ndarrays in sample to Tensors."""

    def __call__(self, sample):
        image, landmarks = sample['image'], sample['landmarks']
        # swap color axis because
        # numpy image: H x W x C
        # torch image: C x H x W
        image = image.transpose((2, 0, 1))
        return {'image': torch.from_numpy(image),
                'landmarks': torch.from_numpy(landmarks)}


class Compose(object):
    """Chains transforms, as the vision library's transforms.Compose does."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, sample):
        for t in self.transforms:
            sample = t(sample)
        return sample


def show_landmarks_batch(sample_batched):
    """The batch laid out side by side, as utils.make_grid would, and the shifted landmarks."""
    images_batch, landmarks_batch = sample_batched['image'], sample_batched['landmarks']
    batch_size = len(images_batch)
    im_size = images_batch.size(2)
    grid = torch.cat([images_batch[i] for i in range(batch_size)], dim=2)
    xs = [landmarks_batch[i, :, 0].numpy() + i * im_size for i in range(batch_size)]
    return grid.numpy().transpose((1, 2, 0)), xs


def main(steps=2, state=None):
    rng = np.random.default_rng(0)
    n = 8
    frame = [[f'face_{i}.jpg'] + list(rng.uniform(4, 28, 2 * 5).round(1)) for i in range(n)]
    images = [rng.random((32 + 2 * (i % 2), 32, 3)).astype(np.float32) for i in range(n)]
    face_dataset = FaceLandmarksDataset(frame, images)
    for i, sample in enumerate(face_dataset):
        print(i, sample['image'].shape, sample['landmarks'].shape)
        if i == 3:
            break
    transformed_dataset = FaceLandmarksDataset(
        frame, images, transform=Compose([Rescale(20), RandomCrop(16, rng), ToTensor()]))
    print(transformed_dataset[torch.tensor(2)]['image'].size())
    dataloader = DataLoader(transformed_dataset, batch_size=4, shuffle=True, num_workers=0)

    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for epoch in range(steps):
        for i_batch, sample_batched in enumerate(dataloader):
            print(i_batch, sample_batched['image'].size(), sample_batched['landmarks'].size())
            assert sample_batched['landmarks'].dtype == torch.float64
            if i_batch == 0 and epoch == 0:
                grid, xs = show_landmarks_batch(sample_batched)
                assert grid.shape == (16, 64, 3) and len(xs) == 4
            pred = model(sample_batched['image'])
            target = sample_batched['landmarks'].float().view(-1, 10)
            loss = nn.functional.mse_loss(pred, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return {"losses": losses, "initial": {}}
