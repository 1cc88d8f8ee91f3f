import torch


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    in_lens = input_lengths.reshape(-1).tolist()
    tg_lens = target_lengths.reshape(-1).tolist()
    rows = targets.reshape(len(in_lens), -1) if targets.dim() == 2 or not batched else None
    losses, offset = [], 0
    for n, (length, size) in enumerate(zip(in_lens, tg_lens)):
        if rows is None:
            labels, offset = targets[offset:offset + size].tolist(), offset + size
        else:
            labels = rows[n, :size].tolist()
        ext = [blank] + [v for label in labels for v in (label, blank)]
        skip = torch.tensor([False, False] + [ext[s] != blank and ext[s] != ext[s - 2] for s in range(2, len(ext))])[:len(ext)]
        emit = lp[:length, n, ext]
        very_unlikely = -1e30
        alpha = torch.full((len(ext),), very_unlikely, dtype=lp.dtype)
        alpha = torch.cat([emit[0, :2], alpha[2:]]) if len(ext) > 1 else emit[0, :1]
        for t in range(1, length):
            pad = alpha.new_full((2,), very_unlikely)
            one = torch.cat([pad[:1], alpha[:-1]])
            two = torch.where(skip, torch.cat([pad, alpha[:-2]])[:len(ext)], very_unlikely)
            alpha = torch.logsumexp(torch.stack([alpha, one, two]), 0) + emit[t]
        loss = -torch.logsumexp(alpha[-2:], 0)
        if length < size + sum(a == b for a, b in zip(labels, labels[1:])):
            loss = loss * 0 if zero_infinity else loss.detach() * 0 + float("inf")
        losses.append(loss)
    loss = torch.stack(losses)
    if not batched:
        loss = loss[0]
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / target_lengths.clamp_min(1)).mean()
