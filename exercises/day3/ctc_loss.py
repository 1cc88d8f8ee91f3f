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
    raise NotImplementedError("not implemented yet: write your solution here")
