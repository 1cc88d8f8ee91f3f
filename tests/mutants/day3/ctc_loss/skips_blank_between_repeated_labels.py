import torch


def ctc_loss(
    log_probs: torch.Tensor,
    targets: torch.Tensor,
    input_lengths: torch.Tensor,
    target_lengths: torch.Tensor,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> torch.Tensor:
    unbatched = log_probs.dim() == 2
    if unbatched:
        log_probs, targets = log_probs.unsqueeze(1), targets.reshape(1, -1)
    device = log_probs.device
    input_lengths = torch.as_tensor(input_lengths, device=device).reshape(-1).long()
    target_lengths = torch.as_tensor(target_lengths, device=device).reshape(-1).long()
    steps, batch, _ = log_probs.shape
    max_len = int(target_lengths.max()) if batch else 0
    positions = torch.arange(max_len, device=device)
    in_target = positions < target_lengths.unsqueeze(1)
    if targets.dim() == 1:
        # Concatenated targets: sample n's labels start after those of the samples before it.
        starts = target_lengths.cumsum(0) - target_lengths
        index = (starts.unsqueeze(1) + positions).clamp_max(max(targets.numel() - 1, 0))
        targets = targets[index] if targets.numel() else index
    labels = torch.where(in_target, targets[:, :max_len].long(), blank)

    # Extended sequence: blank, y_1, blank, y_2, ..., y_S, blank.
    ext = torch.full((batch, 2 * max_len + 1), blank, dtype=torch.long, device=device)
    ext[:, 1::2] = labels
    prev2 = torch.cat([torch.full_like(ext[:, :2], blank), ext[:, :-2]], 1)
    can_skip = ext != blank
    emit = log_probs.gather(2, ext.unsqueeze(0).expand(steps, -1, -1))  # (T, N, 2S+1)

    impossible = torch.finfo(log_probs.dtype).min / 4  # finite stand-in for -inf: no NaN gradients
    floor = torch.full_like(emit[0], impossible)
    alpha = torch.where(torch.arange(ext.shape[1], device=device) < 2, emit[0], floor)
    for t in range(1, steps):
        stay = alpha
        step = torch.cat([floor[:, :1], alpha[:, :-1]], 1)
        skip = torch.where(can_skip, torch.cat([floor[:, :2], alpha[:, :-2]], 1), floor)
        new = torch.logsumexp(torch.stack([stay, step, skip]), 0) + emit[t]
        # Samples whose input has ended keep their last alpha.
        alpha = torch.where((t < input_lengths).unsqueeze(1), new, alpha)

    last = (2 * target_lengths).unsqueeze(1)
    ends = torch.cat([alpha.gather(1, last), alpha.gather(1, (last - 1).clamp_min(0))], 1)
    ends = torch.where(torch.cat([last >= 0, last >= 1], 1), ends, impossible)
    loss = -torch.logsumexp(ends, 1)

    repeats = ((labels[:, 1:] == labels[:, :-1]) & in_target[:, 1:]).sum(1)
    feasible = input_lengths >= target_lengths + repeats
    loss = torch.where(feasible, loss, 0.0 if zero_infinity else float("inf"))
    if unbatched:
        loss = loss[0]
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return (loss / target_lengths.clamp_min(1).reshape(loss.shape)).mean()
