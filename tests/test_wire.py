"""The answer format between worker and grader: exact round trips, and nothing malformed gets in."""
import json
import struct

import pytest
import torch

from grader.sandbox import wire


def test_round_trip_keeps_values_dtypes_shapes_and_structure():
    answer = {
        "id": "c1", "error": None, "flag": True, "n": 3, "x": 1.5,
        "output": torch.randn(3, 4, dtype=torch.float64),
        "grads": {"input": torch.randn(2, dtype=torch.float32), "target": None},
        "after": [torch.tensor(True), torch.arange(5), torch.zeros(0, 3), torch.tensor(2.5, dtype=torch.bfloat16)],
    }
    back = wire.decode(wire.encode(answer))
    assert back["id"] == "c1" and back["error"] is None and back["flag"] is True and back["n"] == 3
    assert torch.equal(back["output"], answer["output"]) and back["output"].dtype == torch.float64
    assert torch.equal(back["grads"]["input"], answer["grads"]["input"]) and back["grads"]["target"] is None
    for got, sent in zip(back["after"], answer["after"]):
        assert type(got) is torch.Tensor and got.dtype == sent.dtype and got.shape == sent.shape
        assert torch.equal(got, sent)


def test_decoded_tensors_share_no_memory_with_the_frame_or_each_other():
    frame = bytearray(wire.encode({"a": torch.ones(3, dtype=torch.float64), "b": torch.ones(2, dtype=torch.bool),
                                   "c": torch.ones(2, dtype=torch.float32)}))
    back = wire.decode(frame)
    frame[-20:] = bytes(20)  # the sender's buffer is reused for the next frame
    back["a"].zero_()
    assert back["b"].all() and torch.equal(back["c"], torch.ones(2))


def test_meta_tensors_travel_without_data():
    back = wire.decode(wire.encode({"output": torch.empty(2, 3, device="meta")}))
    assert back["output"].is_meta and back["output"].shape == (2, 3)


def test_a_tensor_of_more_dimensions_than_the_decoder_accepts_is_not_sent():
    with pytest.raises(TypeError):
        wire.encode({"output": torch.zeros((), dtype=torch.bfloat16).reshape([1] * (wire.MAX_DIMS + 1))})


def test_only_plain_data_can_be_sent():
    class Sneaky(torch.Tensor):
        pass

    with pytest.raises(TypeError):
        wire.encode({"output": object()})
    with pytest.raises(TypeError):
        wire.encode({"output": torch.zeros(2).as_subclass(Sneaky)})


def _frame(header: dict, payload: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + payload


@pytest.mark.parametrize("frame", [
    b"",
    b"\xff" * 8 + b"{}",  # header length past the end
    _frame({"body": {}, "tensors": [{"dtype": "object", "shape": [1], "device": "cpu", "offset": 0, "nbytes": 8}]}, b"\0" * 8),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [4], "device": "cpu", "offset": 0, "nbytes": 8}]}, b"\0" * 8),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [2], "device": "cpu", "offset": 4, "nbytes": 8}]}, b"\0" * 8),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [-2], "device": "cpu", "offset": 0, "nbytes": 8}]}, b"\0" * 8),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [2], "device": "tpu", "offset": 0, "nbytes": 8}]}, b"\0" * 8),
    _frame({"body": {"__tensor__": 3}, "tensors": []}),
    # two tensors over the same bytes would alias each other
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [2], "device": "cpu", "offset": 0, "nbytes": 8},
                                    {"dtype": "float32", "shape": [2], "device": "cpu", "offset": 4, "nbytes": 8}]}, b"\0" * 12),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [1], "device": "cpu", "offset": 2, "nbytes": 4}]}, b"\0" * 8),
    _frame({"body": {}}),
    # more dimensions than numpy allows, which a wrong shape's message would print in full
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [1] * 65, "device": "cpu", "offset": 0,
                                     "nbytes": 4}]}, b"\0" * 4),
    # numbers json reads and int() refuses
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [float("inf")], "device": "cpu", "offset": 0,
                                     "nbytes": 0}]}),
    _frame({"body": {}, "tensors": [{"dtype": "float32", "shape": [], "device": "cpu", "offset": float("inf"),
                                     "nbytes": 4}]}, b"\0" * 4),
])
def test_malformed_frames_are_rejected(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame)
