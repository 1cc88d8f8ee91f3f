import torch


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean"):
    dist = distance_function or torch.pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = torch.stack([d_neg, dist(positive, negative)]).amin(0)
    loss = torch.relu(d_pos - d_neg + margin)
    return {"none": loss, "sum": loss.sum()}.get(reduction, loss.mean())
