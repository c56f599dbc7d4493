"""Ready-made networks (LeNet-5, AlexNet, VGG-11/13/16/19, SimpleCNN, ResNet-18/34/50 and
the CIFAR ResNet-20, MobileNetV2, DenseNet-121) and a registry by name."""

from tinygrad_cnn.models.alexnet import AlexNet, alexnet
from tinygrad_cnn.models.classifier import ConvClassifier
from tinygrad_cnn.models.densenet import DenseNet, densenet121
from tinygrad_cnn.models.lenet import LeNet5, lenet5
from tinygrad_cnn.models.mobilenet import MobileNetV2, mobilenet_v2
from tinygrad_cnn.models.registry import MODELS, build_model
from tinygrad_cnn.models.resnet import (
    BasicBlock,
    Bottleneck,
    ResNet,
    resnet18,
    resnet20,
    resnet34,
    resnet50,
)
from tinygrad_cnn.models.simple import SimpleCNN, simple_cnn
from tinygrad_cnn.models.vgg import VGG, make_features, vgg11, vgg13, vgg16, vgg19

__all__ = [
    "MODELS",
    "VGG",
    "AlexNet",
    "BasicBlock",
    "Bottleneck",
    "ConvClassifier",
    "DenseNet",
    "LeNet5",
    "MobileNetV2",
    "ResNet",
    "SimpleCNN",
    "alexnet",
    "build_model",
    "densenet121",
    "lenet5",
    "make_features",
    "mobilenet_v2",
    "resnet18",
    "resnet20",
    "resnet34",
    "resnet50",
    "simple_cnn",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
]
