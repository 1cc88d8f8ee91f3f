import torch


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    x = input if input.dim() == 2 else input.unsqueeze(0)
    y = target.reshape(-1)
    num_classes = x.shape[1]
    others = torch.nn.functional.one_hot(y, num_classes) == 0
    x_y = x[torch.arange(x.shape[0]), y].unsqueeze(1)
    terms = torch.relu(margin + x - x_y)
    terms = terms * terms if p == 2 else terms
    if weight is not None:
        terms = terms * weight.index_select(0, y).unsqueeze(1)
    loss = torch.where(others, terms, torch.zeros_like(terms)).mean(1).view(target.shape)
    return {"none": loss, "sum": loss.sum()}.get(reduction, loss.mean())
