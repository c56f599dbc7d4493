"""Ready-made networks (LeNet-5, AlexNet, VGG-11/13/16/19, SimpleCNN) and a registry by name."""

from tinygrad_cnn.models.alexnet import AlexNet, alexnet
from tinygrad_cnn.models.classifier import ConvClassifier
from tinygrad_cnn.models.lenet import LeNet5, lenet5
from tinygrad_cnn.models.registry import MODELS, build_model
from tinygrad_cnn.models.simple import SimpleCNN, simple_cnn
from tinygrad_cnn.models.vgg import VGG, make_features, vgg11, vgg13, vgg16, vgg19

__all__ = [
    "MODELS",
    "VGG",
    "AlexNet",
    "ConvClassifier",
    "LeNet5",
    "SimpleCNN",
    "alexnet",
    "build_model",
    "lenet5",
    "make_features",
    "simple_cnn",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
]
