import torch


def nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    """Negative log-likelihood loss: pick out minus the log-probability of each target class.

    ``input`` holds log-probabilities (e.g. the output of ``log_softmax``; the function itself
    does not check or normalise them), ``target`` holds class indices. For every sample n

        l_n = -w[y_n] * input[n, y_n]          (w[c] = 1 for every class when weight is None)

    Shapes (C = number of classes, class dimension is dim 1, or dim 0 without a batch):
        input (N, C)               target (N,)              -> unreduced loss (N,)
        input (N, C, d1, ..., dk)  target (N, d1, ..., dk)  -> unreduced loss (N, d1, ..., dk)
        input (C,)                 target ()  (one sample)  -> unreduced loss ()
    ``target`` is an integer (long) tensor with values in [0, C), or ``ignore_index``.

    Parameters:
        weight: optional tensor of shape (C,) giving each class a weight (default None: all 1).
            Not differentiated.
        ignore_index: a target value whose samples contribute nothing (default -100): their
            loss is 0 and they are left out of the 'mean' denominator. It may also be a real class
            index, e.g. 0, which then counts as ignored.
        reduction: 'none' returns ``l`` (shape of ``target``); 'sum' returns ``l.sum()``;
            'mean' (the default) returns the weighted mean ``sum_n l_n / sum_n w[y_n]`` over the
            samples that are not ignored. That denominator is a sum of class weights, not a
            count. When it is 0 (every target ignored) the result is 0/0 = NaN, as in torch.

    Returns a tensor of the input's dtype. Gradients must flow back to ``input``.
    Use only elementary tensor operations (``gather``, indexing, ...), no torch loss functions.
    """
    raise NotImplementedError("not implemented yet: write your solution here")
