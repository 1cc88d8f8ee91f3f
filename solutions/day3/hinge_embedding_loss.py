import torch


def hinge_embedding_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    margin: float = 1.0,
    reduction: str = "mean",
) -> torch.Tensor:
    """Hinge embedding loss: is a distance small (similar pair, target 1) or large (target -1)?

    ``input`` is usually a distance between two embeddings. Per element

        l_i = input_i                      if target_i == 1
        l_i = max(0, margin - input_i)     if target_i == -1

    so similar pairs are pulled together and dissimilar ones are pushed at least ``margin`` apart.

    Shapes: ``input`` and ``target`` have the same shape (any shape, also 0-dimensional); the
    unreduced loss has that shape. ``target`` holds 1 or -1 (floating point).

    Parameters:
        input: the distances (or any scores).
        target: 1 for a similar pair, -1 for a dissimilar one.
        margin: the distance dissimilar pairs must exceed to cost nothing (default 1.0).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (the default) returns
            ``l.mean()`` over every element.

    Returns a tensor of the input's dtype; gradients must flow back to ``input``.
    """
    # BEGIN SOLUTION
    hinge = (margin - input).clamp_min(0)
    loss = torch.where(target == 1, input, hinge)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()
    # END SOLUTION
