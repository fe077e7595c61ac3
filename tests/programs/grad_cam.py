# Stands for: the Grad-CAM and guided-backpropagation code of popular GitHub repositories
# (a GradCAM class keeping the target layer's activations in a forward hook and their
# gradients in a full backward hook, the variant that registers a tensor hook on the
# activations instead, and the one that calls retain_grad on them; backward from a one-hot
# gradient; channel weights as the mean gradient; ReLU and min-max normalisation; guided
# backprop replacing each ReLU's grad_input with its positive part). A small CNN and a
# random 3x16x16 image stand in for the pretrained network and the photo.
import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class SmallCNN(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU())
        self.classifier = nn.Linear(16, num_classes)

    def forward(self, x):
        x = self.features(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.classifier(x)


class GradCAM:
    def __init__(self, model, target_layer, mode="module"):
        self.model = model
        self.target_layer = target_layer
        self.gradients = None
        self.activations = None
        self.mode = mode
        self.handles = [target_layer.register_forward_hook(self.save_activation)]
        if mode == "module":
            self.handles.append(target_layer.register_full_backward_hook(self.save_gradient))

    def save_activation(self, module, input, output):
        self.activations = output.detach()
        if self.mode == "tensor":
            output.register_hook(self.save_tensor_gradient)
        elif self.mode == "retain":
            self.output = output
            output.retain_grad()

    def save_gradient(self, module, grad_input, grad_output):
        self.gradients = grad_output[0].detach()

    def save_tensor_gradient(self, grad):
        self.gradients = grad.detach()

    def __call__(self, x, class_idx=None):
        output = self.model(x)
        if class_idx is None:
            class_idx = output.argmax(dim=1).item()
        self.model.zero_grad()
        one_hot = torch.zeros_like(output)
        one_hot[0][class_idx] = 1
        output.backward(gradient=one_hot)
        if self.mode == "retain":
            self.gradients = self.output.grad
        weights = torch.mean(self.gradients, dim=(2, 3), keepdim=True)
        cam = torch.sum(weights * self.activations, dim=1, keepdim=True)
        cam = F.relu(cam)
        cam = (cam - cam.min()) / (cam.max() - cam.min() + 1e-8)
        return cam.squeeze().cpu().numpy()

    def remove(self):
        for handle in self.handles:
            handle.remove()


def guided_backprop(model, image, class_idx):
    def relu_backward_hook(module, grad_in, grad_out):
        return (torch.clamp(grad_in[0], min=0.0),)

    handles = [module.register_full_backward_hook(relu_backward_hook)
               for module in model.modules() if isinstance(module, nn.ReLU)]
    image = image.clone().requires_grad_()
    output = model(image)
    model.zero_grad()
    output[0, class_idx].backward()
    for handle in handles:
        handle.remove()
    return image.grad[0].numpy()


def main(steps=2, state=None):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = SmallCNN()
    if state is not None:
        model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
    initial = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    model.eval()
    image = torch.tensor(rng.standard_normal((1, 3, 16, 16)).astype(np.float32))

    cams = []
    for mode in ("module", "tensor", "retain"):
        grad_cam = GradCAM(model, model.features[3], mode)
        cams.append(grad_cam(image))
        grad_cam.remove()
    assert all(np.allclose(cams[0], cam, atol=1e-6) for cam in cams)
    heatmap = np.kron(cams[0], np.ones((2, 2)))  # upsampled to the image's size
    assert heatmap.shape == (16, 16)

    class_idx = model(image).argmax(dim=1).item()
    guided = guided_backprop(model, image, class_idx)
    plain = image.clone().requires_grad_()
    model(plain)[0, class_idx].backward()
    print("Grad-CAM", np.round(cams[0], 3))
    print("guided backprop gradient norm", np.linalg.norm(guided),
          "plain", np.linalg.norm(plain.grad.numpy()))
    values = [float(v) for v in cams[0].ravel()] + [float(np.abs(guided).sum())]
    return {"losses": values, "initial": initial}
