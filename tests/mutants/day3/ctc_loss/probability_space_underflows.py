import torch


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Graves' recursion in probability space, renormalised per step: exp() underflows to 0 when
    the only feasible path runs through very unlikely classes (large logits), giving inf."""
    batched = log_probs.dim() == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    in_lens = [int(v) for v in input_lengths.reshape(-1)]
    tg_lens = [int(v) for v in target_lengths.reshape(-1)]
    losses = []
    offset = 0
    for n, (length, size) in enumerate(zip(in_lens, tg_lens)):
        if targets.dim() == 1 and batched:
            labels = targets[offset:offset + size]
            offset += size
        else:
            labels = targets.reshape(len(in_lens), -1)[n, :size]
        ext = [blank]
        for label in labels.tolist():
            ext += [label, blank]
        needed = size + sum(1 for a, b in zip(labels.tolist(), labels.tolist()[1:]) if a == b)
        if length < needed:
            losses.append(lp.new_zeros(()) * lp.sum() if zero_infinity else lp.new_full((), float("inf")))
            continue
        width = len(ext)
        skip = torch.tensor([s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] for s in range(width)])
        # Emission probabilities relative to each step's best class keep the scale near 1.
        step_lp = lp[:length, n, :]
        shift = step_lp.amax(1, keepdim=True).detach()
        probs = (step_lp - shift).exp()[:, ext]
        alpha = torch.cat([probs[0, :2], probs.new_zeros(width - 2)]) if width > 1 else probs[0, :1]
        log_scale = shift[:length].sum()
        total = alpha.sum()
        alpha, log_scale = alpha / total, log_scale + total.log()
        for t in range(1, length):
            moved = alpha.clone()
            moved[1:] = moved[1:] + alpha[:-1]
            moved[2:] = moved[2:] + torch.where(skip[2:], alpha[:-2], torch.zeros_like(alpha[:-2]))
            alpha = moved * probs[t]
            total = alpha.sum()
            alpha, log_scale = alpha / total, log_scale + total.log()
        final = alpha[-1] + (alpha[-2] if width > 1 else 0)
        losses.append(-(final.log() + log_scale))
    loss = torch.stack(losses)
    if not batched:
        loss = loss[0]
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / target_lengths.clamp_min(1).to(loss.dtype)).mean()
