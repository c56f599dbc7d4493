"""The doctor's thresholds, each with where it comes from. Every band was also checked
against the healthy set-ups and the planted faults of the doctor's tests: docs/doctor.md
tabulates what the doctor measures on each, and its test measures them again."""

from __future__ import annotations

import math

# ---- inputs ---------------------------------------------------------------------------------
# LeCun, Bottou, Orr and Müller, "Efficient BackProp" (1998), section 4.3: inputs should have
# a mean near zero and a spread near one. An order of magnitude off either way is a warning:
# raw 8-bit pixels have a spread near 80, pixels divided by 255 twice one near 0.001, and
# pixels in [0, 1] (about 0.3) pass, with a note.
INPUT_STD_BAND = (0.1, 10.0)
# A mean this many spreads from zero is an offset the first layer must learn away.
INPUT_MEAN_IN_STDS = 5.0
# Channels whose spreads differ by more than this factor are on different scales.
CHANNEL_STD_RATIO = 10.0
# A standardised input is this close to mean 0 and spread 1; others in [0, 1] get a note.
STANDARDISED = (0.1, 0.5)  # |mean| below, |std - 1| below

# ---- labels ---------------------------------------------------------------------------------
# Buda, Maki and Mazurowski, "A systematic study of the class imbalance problem in CNNs"
# (2018): accuracy falls as the ratio of the largest class to the smallest grows, and accuracy
# itself misleads. We warn from an order of magnitude; MNIST's classes are within 1.3 of
# each other.
IMBALANCE_RATIO = 10.0

# ---- outputs and the first loss -------------------------------------------------------------
# Rows of probabilities sum to 1 within this (float32 softmax rounding is far below it).
PROBABILITY_SUM_TOLERANCE = 1e-3
# Karpathy, "A Recipe for Training Neural Networks" (2019): a fresh softmax classifier's loss is
# ln(C). Random scores of spread s add about s²/2 to it, so one nat above means scores that
# spread over 1.4 before any training.
LOSS_AT_INIT_EXCESS = 1.0  # nats above ln(C)

# ---- units ----------------------------------------------------------------------------------
# A ReLU unit (a channel of a conv layer, a feature of a linear one) is dead when no sample
# and no position of the batch makes it positive: no gradient passes it. CS231n (Karpathy)
# warns that as much as 40% of a network can die with a learning rate set too high, and a
# freshly initialised layer can have a quarter of its units silent on one batch. A layer with
# half its units dead is a warning, with all of them an error (nothing below it learns).
DEAD_SHARE = 0.5
# A sigmoid or tanh value is saturated where its slope is below 5% of the slope at 0: it passes
# almost no gradient (Glorot and Bengio, 2010, saw deep sigmoid networks stall this way).
SATURATED_SLOPE = 0.05
# sigmoid'(x) = s(1 - s) = SATURATED_SLOPE / 4  ->  |x| > ln(s / (1 - s)) for the smaller root
_S = (1 - math.sqrt(1 - SATURATED_SLOPE)) / 2
SIGMOID_EDGE = -math.log(_S / (1 - _S))
# tanh'(x) = 1 - t² = SATURATED_SLOPE  ->  |x| > atanh(sqrt(1 - SATURATED_SLOPE))
TANH_EDGE = math.atanh(math.sqrt(1 - SATURATED_SLOPE))
# More than half of a layer's values saturated is a warning.
SATURATED_SHARE = 0.5

# ---- gradients across depth ------------------------------------------------------------------
# Glorot and Bengio (2010) and He et al. (2015) choose initial weights so that the gradient
# keeps its size from the last layer to the first. We compare the norm of d loss / d output
# of the first weight layer with the last's; PyTorch's default initialisation passes back a
# fraction at each layer, so a shallow network stays within a decade or two, and three orders
# of magnitude either way is a warning.
GRADIENT_RATIO = 1e3

# ---- the first optimiser steps ---------------------------------------------------------------
# CS231n (Karpathy): the update of a layer's weights should be about 1e-3 of their size per
# step. The first steps of sound recipes run a decade above it (Adam's first step moves every
# weight by the full learning rate), so we warn above 0.3 — a third of each weight per step —
# and below 1e-5, two orders of magnitude under the guide, where weights barely move.
UPDATE_RATIO_TARGET = 1e-3
UPDATE_RATIO_BAND = (1e-5, 0.3)
# fastai's and PyTorch Lightning's learning-rate finders stop when the loss passes 4 times its
# best; the first steps diverge when it passes 4 times the first loss, or is not finite.
DIVERGENCE_FACTOR = 4.0

# ---- overfitting one batch --------------------------------------------------------------------
# Karpathy's recipe: a model that cannot drive the loss of a few examples towards zero has a
# bug. The test is of the model, the loss and the labels, not of the learning rate (`diverges`
# and `update-ratio` judge that): this many samples (at most a batch) are trained with Adam at
# a rate that memorises them within a few dozen steps in every healthy set-up measured, small
# MLPs included, with dropout off, until the loss reaches the goal.
OVERFIT_SAMPLES = 16
OVERFIT_LR = 1e-2
OVERFIT_GOAL = 0.1  # the loss must fall to this fraction of its first value

# ---- what the pictures keep -------------------------------------------------------------------
# Values drawn per layer and step for the histograms: plenty for 40 bins, little to keep.
SAMPLE = 2048
