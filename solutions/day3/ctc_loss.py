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
    """Connectionist Temporal Classification loss: -log p(target | input), summed over alignments.

    A network emits, at every time step ``t``, log-probabilities over ``C`` classes, one of
    which is the special *blank*. An alignment is a path of ``T`` classes; it reads as a label
    sequence after merging runs of the same class and then removing blanks (so ``a a - b`` and
    ``a - - b`` both read ``a b``, while ``a - a`` reads ``a a``). The loss of one sample is

        l_n = -log sum_{paths reading target_n} prod_t exp(log_probs[t, n, path_t])

    using only the first ``input_lengths[n]`` time steps and the first ``target_lengths[n]``
    labels of the target.

    The forward algorithm computes it in O(T * S). Interleave the target ``y_1..y_S`` with
    blanks into the extended sequence ``z = (-, y_1, -, y_2, ..., -, y_S, -)`` of length
    ``2S + 1``. ``alpha_t(s)`` is the log-probability of all path prefixes of length ``t + 1``
    that end in ``z_s`` and read ``z_1..z_s`` so far:

        alpha_0(0) = log_probs[0, blank],  alpha_0(1) = log_probs[0, y_1],  else -inf
        alpha_t(s) = log_probs[t, z_s] + logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1),
                                                   alpha_{t-1}(s-2) if z_s != blank and z_s != z_{s-2})
        l_n = -logsumexp(alpha_{T_n - 1}(2S), alpha_{T_n - 1}(2S - 1))

    with ``T_n = input_lengths[n]`` and ``S = target_lengths[n]`` (for ``S = 0`` only the
    all-blank path exists). The skip from ``s - 2`` jumps over a blank between two different
    labels; between two equal labels the blank is mandatory.

    Shapes:
        log_probs: ``(T, N, C)`` log-softmax outputs (time first!), or ``(T, C)`` for one sample.
        targets: either padded ``(N, S_max)`` (row ``n`` holds its labels in its first
            ``target_lengths[n]`` entries; the rest is ignored), or all targets concatenated into
            one 1-D tensor of length ``sum(target_lengths)``. For a ``(T, C)`` input: ``(S,)``.
            Labels are in ``[0, C)`` and never equal ``blank``.
        input_lengths, target_lengths: ``(N,)`` integer tensors (0-dimensional for a ``(T, C)``
            input), ``input_lengths[n] <= T``.
        The unreduced loss has shape ``(N,)`` (``()`` for a ``(T, C)`` input).

    Parameters:
        blank: index of the blank class (default 0).
        reduction: 'none' returns ``l``; 'sum' returns ``l.sum()``; 'mean' (default) divides each
            ``l_n`` by its target length (clamped to at least 1) and then averages over the batch.
        zero_infinity: when a target cannot be aligned at all (the input is too short: it needs
            at least ``S`` steps plus one extra step per pair of equal adjacent labels), the
            loss is ``inf``; with ``zero_infinity=True`` such losses (and their gradients) are 0.

    Gradients must flow back to ``log_probs`` (autograd through your recursion is fine). Avoid
    NaN gradients: ``logsumexp`` over entries that are all ``-inf`` has a NaN gradient, so use a
    very negative finite number for impossible states. Loop over time, but not over the batch.
    """
    # BEGIN SOLUTION
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
    can_skip = (ext != blank) & (ext != prev2)
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
    # END SOLUTION
