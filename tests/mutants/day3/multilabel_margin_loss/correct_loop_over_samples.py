import torch


def multilabel_margin_loss(input, target, reduction="mean"):
    x2 = input if input.dim() == 2 else input.unsqueeze(0)
    t2 = target if target.dim() == 2 else target.unsqueeze(0)
    num_classes = x2.shape[1]
    losses = []
    for x, t in zip(x2, t2):
        ends = (t < 0).nonzero()
        count = ends[0, 0].item() if len(ends) else num_classes
        targets = t[:count]
        negative = torch.ones(num_classes, dtype=torch.bool)
        negative[targets] = False
        gaps = 1 - x[targets].unsqueeze(1) + x[negative].unsqueeze(0)
        losses.append(torch.relu(gaps).sum() / num_classes)
    # An empty batch still returns a (0,) tensor attached to the graph.
    loss = torch.stack(losses) if losses else x2.sum(1)
    if input.dim() == 1:
        loss = loss[0]
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.mean()
