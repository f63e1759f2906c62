"""The lecture tour: ordered steps through the lecture's concepts, each with its example,
the panel to look at, what to look at and one thing to try.

``concepts`` names the rows of the README's "What you can do" table a step covers
(tests check that every row is reached). ``focus`` says what the step brings forward:

- ``Focus("dock", name)``: the dock with that object name;
- ``Focus("select", type_id)``: the first node of that type, selected, in the inspector;
- ``Focus("landscape", key)``: the Landscape panel on "network" or a built-in surface;
- ``Focus("explain", type_id)``: the convolution explainer on the first node of that type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

INSPECTOR = "inspector_dock"
TRAINING = "training_dock"
LANDSCAPE = "landscape_dock"
CONV = "conv_explainer_dock"


@dataclass(frozen=True)
class Focus:
    kind: Literal["dock", "select", "landscape", "explain"]
    target: str

    @property
    def dock(self) -> str:
        """The object name of the dock this focus brings to the front."""
        return {"dock": self.target, "select": INSPECTOR, "landscape": LANDSCAPE,
                "explain": CONV}[self.kind]


@dataclass(frozen=True)
class TourStep:
    key: str
    title: str
    concepts: tuple[str, ...]
    example: str
    focus: Focus
    look: str
    try_this: str


TOUR: tuple[TourStep, ...] = (
    TourStep(
        "neuron", "A neuron and its bias", ("Single neurons and biases",),
        "chocolate_happiness.nnstudio", Focus("select", "neuron.neuron"),
        "The neuron h sums what comes in on its edges, each multiplied by the weight "
        "written on the edge. The Bias node is a constant +1: its edge weight is the bias "
        "b1, which moves h up or down whatever x is.",
        "Click the edge from b1 and type another weight in the inspector: the loss plot "
        "after training and the starting line both move."),
    TourStep(
        "activations", "Activation functions", ("Activation table",),
        "xor.nnstudio", Focus("select", "activation"),
        "Each hidden neuron here is followed by a tanh activation; the inspector draws f "
        "and its derivative f′. Without the activations, the six hidden neurons would "
        "collapse into one straight line and XOR could not be learned.",
        "Open Help › Activation Functions to compare all eight, or switch this node to "
        "ReLU in the inspector and train (F5) again."),
    TourStep(
        "chocolate", "Chocolate → happiness", ("Chocolate → happiness",),
        "chocolate_happiness.nnstudio", Focus("dock", "loss_dock"),
        "The lecture's very simple example: g = w2·(w1·x + b1) + b2 trained on the mean "
        "squared error. The Loss tab below draws the training and validation loss per "
        "epoch.",
        "Press Train (F5) and watch the four numbers on the edges change while the loss "
        "falls and levels off."),
    TourStep(
        "linear", "Linear regression as a network", ("Linear / logistic regression as networks",),
        "linear_regression.nnstudio", Focus("dock", "boundary_dock"),
        "One neuron without activation is linear regression: the edge weight is the slope, "
        "the bias the intercept. The Boundary tab shows the data and the fitted line.",
        "Train and check that the weight ends near 2 and the bias near 0.5, the line the "
        "data was drawn around."),
    TourStep(
        "logistic", "Logistic regression as a network",
        ("Linear / logistic regression as networks",),
        "logistic_regression.nnstudio", Focus("dock", "boundary_dock"),
        "The same neuron followed by a sigmoid gives a probability; the loss is binary "
        "cross-entropy. The decision border is where σ(w·x + b) = 0.5, at x = −b/w.",
        "Train, then read w and b off the edges and compute −b/w: it is where the curve in "
        "the Boundary tab crosses 0.5."),
    TourStep(
        "backprop", "Backpropagation by the chain rule", ("Backprop by the chain rule",),
        "chocolate_happiness.nnstudio", Focus("dock", "backprop_dock"),
        "The Backprop panel walks one forward pass and one backward pass node by node and "
        "writes ∂L/∂w1 = ∂L/∂g · ∂g/∂h · ∂h/∂w1 with the numbers of the lecture's example.",
        "Press Step until the backward pass reaches w1, then Check gradients: finite "
        "differences agree with the chain rule."),
    TourStep(
        "descent", "Epochs, batch sizes and gradient descent",
        ("Epochs; batch / stochastic / mini-batch descent; momentum",),
        "linear_regression.nnstudio", Focus("landscape", "network"),
        "The Landscape panel draws the loss over the weight w and the bias b, and the "
        "paths of batch, stochastic and mini-batch descent from the same start. One epoch "
        "is one pass over all training samples: one batch step, or one step per sample.",
        "Press Play to follow the paths: the stochastic one wobbles because every step "
        "sees a single sample. Change the batch size in the Training tab and train."),
    TourStep(
        "momentum", "Momentum", ("Epochs; batch / stochastic / mini-batch descent; momentum",),
        "linear_regression.nnstudio", Focus("landscape", "valley"),
        "In a narrow valley plain gradient descent zig-zags across and crawls along the "
        "floor. Momentum keeps a moving average of the steps and builds up speed downhill.",
        "Press Play and compare the red momentum path with the blue one. Raise the "
        "learning rate to 0.5 and compute again: which paths diverge?"),
    TourStep(
        "problems", "Problems with gradient descent", ("Problems with gradient descent",),
        "linear_regression.nnstudio", Focus("landscape", "saddle"),
        "A saddle point holds gradient descent: the gradient is zero there although the "
        "loss can still fall. The other built-in surfaces show a plateau and a local "
        "minimum.",
        "Choose Local minimum in the Surface list: which optimizers reach the deeper "
        "valley on the left?"),
    TourStep(
        "penalties", "Regularization: L1 and L2 penalties", ("L1, L2, L1+L2",),
        "spiral_regularization.nnstudio", Focus("select", "layer.dense"),
        "This dense layer adds an L2 penalty on its weights to the loss (inspector: "
        "penalty and l2). Large weights cost loss, so the network prefers smoother "
        "boundaries: with great complexity comes great regularization.",
        "Train once, then set the penalty to none, reset the weights and train again; "
        "compare the Boundary tab."),
    TourStep(
        "bagging", "Bagging", ("Bagging",), "bagging.nnstudio", Focus("dock", TRAINING),
        "Bagging members in the Training tab: five copies of the network each train on a "
        "bootstrap sample of the data, and the ensemble averages their predictions.",
        "Train and look at the Boundary tab: the average is smoother than any one member."),
    TourStep(
        "dropout", "Dropout", ("Dropout, early stopping with patience, batch norm",),
        "spiral_regularization.nnstudio", Focus("select", "layer.dropout"),
        "During training this layer sets a random 10 % of the units to zero at every "
        "step, so the network cannot rely on single connections. At evaluation time it "
        "does nothing.",
        "Set p to 0.5 in the inspector and train: the training loss stays higher, the "
        "validation loss closer to it."),
    TourStep(
        "early", "Early stopping", ("Dropout, early stopping with patience, batch norm",),
        "spiral_regularization.nnstudio", Focus("dock", TRAINING),
        "Early stopping in the Training tab watches the validation loss and stops after "
        "“patience” epochs without improvement, then restores the best weights.",
        "Train and watch the Loss tab: the run ends by itself and marks the best epoch."),
    TourStep(
        "batchnorm", "Batch normalization", ("Dropout, early stopping with patience, batch norm",),
        "digits_mlp.nnstudio", Focus("dock", "palette_dock"),
        "Batch normalization rescales each unit's activations to a steady mean and "
        "variance during training; it stabilises and speeds up learning.",
        "Drag a BatchNorm node from the palette between the Dense 64 layer and its ReLU, "
        "then train and compare the first epochs of the Loss tab."),
    TourStep(
        "convolution", "Convolution: kernels, padding, stride",
        ("Convolution with padding, stride, channels; pooling",),
        "digits_cnn.nnstudio", Focus("explain", "layer.conv2d"),
        "The explainer slides one 3×3 filter over a digit with one cell of zero padding "
        "around it; every output cell is a sum of nine products plus the bias. The same "
        "nine weights are used everywhere: weight sharing.",
        "Press Play, then set the node's stride to 2 in the inspector: the output shrinks "
        "to (8 − 3 + 2·1)/2 + 1 = 4 (rounded down)."),
    TourStep(
        "pooling", "Pooling", ("Convolution with padding, stride, channels; pooling",),
        "digits_cnn.nnstudio", Focus("explain", "layer.maxpool2d"),
        "Max pooling keeps the largest value of each 2×2 window (the outlined winner) and "
        "halves the map: looking for the strongest presence of a feature.",
        "Step through a few windows, then replace the node by an AvgPool2D from the "
        "palette and explain that one: every window's mean instead of its maximum."),
    TourStep(
        "digits", "The digits practical", ("The digits practical",),
        "digits_cnn.nnstudio", Focus("dock", "draw_pad_dock"),
        "The week's practical: 8×8 handwritten digits, classified by a small convolutional "
        "network. The Draw digit tab lets you test it with your own handwriting.",
        "Train (about 25 epochs), then draw a digit and look at the Confusion tab: which "
        "digits are mixed up?"),
)
