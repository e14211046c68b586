"""The encoding path chooser: the fastest path that meets the accuracy floor, else float32."""

import json
import threading
import time

import numpy as np
import pytest

from sentclust.bert import machine, pathcache
from sentclust.bert import paths as ep
from sentclust.bert.paths import REFERENCE, EncodePath, Measurement

OV32, OV16, T16, OV8 = (
    EncodePath("openvino", "float32"),
    EncodePath("openvino", "bfloat16"),
    EncodePath("torch", "bfloat16"),
    EncodePath("openvino", "int8"),
)
ALL = [REFERENCE, T16, OV32, OV16, OV8]


def measured(seconds: dict, cosines: dict) -> list[Measurement]:
    return [
        Measurement(p, seconds=s, reviews_per_second=32 / s, mean_cosine=cosines.get(p, 1.0))
        for p, s in seconds.items()
    ]


def test_the_fastest_path_that_meets_the_floor_is_chosen():
    # the Intel Xeon of the issue: bf16 no faster than float32, torch float32 the fastest
    ms = measured({REFERENCE: 1.0, T16: 1.3, OV32: 1.2, OV16: 1.15}, {T16: 0.998, OV16: 0.999})
    assert ep.choose_path(ms, ALL)[0] == REFERENCE
    # a CPU with fast bf16: OpenVINO bf16 wins
    ms = measured({REFERENCE: 1.0, T16: 0.8, OV32: 0.9, OV16: 0.4}, {T16: 0.998, OV16: 0.999})
    path, rule = ep.choose_path(ms, ALL)
    assert path == OV16 and "fastest of 4" in rule


def test_float32_is_preferred_within_the_margin():
    # no native bf16: OpenVINO's bf16 hint runs float32, a few percent either way
    ms = measured({REFERENCE: 1.3, OV32: 1.0, OV16: 0.97}, {OV16: 1.0})
    path, rule = ep.choose_path(ms, ALL)
    assert path == OV32 and "within 5% of the fastest, openvino bfloat16" in rule
    ms = measured({REFERENCE: 1.3, OV32: 1.0, OV16: 0.9}, {OV16: 0.999})
    assert ep.choose_path(ms, ALL)[0] == OV16  # 10% faster: worth it


def test_equally_fast_paths_are_chosen_in_a_fixed_order_not_by_noise():
    # an AVX2 CPU: PyTorch and OpenVINO float32 equally fast; whichever is 2% ahead this time,
    # the reference is chosen (two runs cannot pick different backends by noise)
    for ov in (0.98, 1.0, 1.02):
        ms = measured({REFERENCE: 1.0, T16: 6.0, OV32: ov}, {T16: 0.999})
        assert ep.choose_path(ms, ALL)[0] == REFERENCE, ov
    # OpenVINO clearly faster: it is chosen
    ms = measured({REFERENCE: 1.0, OV32: 0.9}, {})
    assert ep.choose_path(ms, ALL)[0] == OV32
    # two reduced precisions equally fast: the one earlier in the order (bf16 before int8)
    ms = measured({REFERENCE: 2.0, OV16: 0.51, OV8: 0.5}, {OV16: 0.999, OV8: 0.995})
    assert ep.choose_path(ms, ALL)[0] == OV16


def test_a_fast_path_below_the_floor_is_not_chosen():
    ms = measured({REFERENCE: 1.0, OV32: 0.9, OV8: 0.3}, {OV8: 0.985})
    assert ep.choose_path(ms, ALL)[0] == OV32
    ms = measured({REFERENCE: 1.0, OV8: 0.3}, {OV8: 0.99})
    assert ep.choose_path(ms, ALL)[0] == OV8  # the floor itself passes


def test_falls_back_to_float32_when_nothing_else_passes():
    ms = measured({REFERENCE: 1.0, T16: 0.5, OV16: 0.4}, {T16: 0.9, OV16: 0.95})
    ms.append(Measurement(OV32, error="RuntimeError: cannot compile"))
    assert ep.choose_path(ms, ALL)[0] == REFERENCE
    # the reference itself failed to run: nothing measured passes, float32 still
    path, rule = ep.choose_path([Measurement(REFERENCE, error="x")], ALL)
    assert path == REFERENCE and "no candidate path met the floor" in rule
    # the config allows only OpenVINO: its float32 is the fallback
    assert ep.choose_path([], [OV32, OV16])[0] == OV32


def test_only_allowed_paths_are_chosen():
    ms = measured({REFERENCE: 1.0, OV16: 0.4}, {OV16: 0.999})
    assert ep.choose_path(ms, [REFERENCE, T16])[0] == REFERENCE


def test_candidates_follow_the_config():
    assert ep.candidate_paths("auto", "auto", openvino=True) == [REFERENCE, T16, OV32, OV16]
    # no bf16 instructions: OpenVINO's bf16 hint would run float32 under another name
    assert ep.candidate_paths("auto", "auto", openvino=True, bf16=False) == [REFERENCE, T16, OV32]
    assert ep.candidate_paths("openvino", "bfloat16", openvino=True, bf16=False) == [OV16]
    assert ep.candidate_paths("auto", "auto", openvino=False) == [REFERENCE, T16]
    assert ep.candidate_paths("auto", "auto", openvino=True, int8=True)[-1] == OV8
    assert ep.candidate_paths("openvino", "float32", openvino=True) == [OV32]
    assert ep.candidate_paths("auto", "float32", openvino=True) == [REFERENCE, OV32]
    assert ep.candidate_paths("torch", "auto", openvino=True, int8=True) == [REFERENCE, T16]
    assert ep.measured_paths([OV32, OV16]) == [REFERENCE, OV32, OV16]


def test_measure_paths_times_every_path_and_records_failures():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(6, 8))

    def fake_encode(path, texts):
        if path == OV16:
            raise RuntimeError("no bf16 kernel")
        noise = 0.0 if path == REFERENCE else 0.5
        return base[: len(texts)] + noise * rng.normal(size=(len(texts), 8))

    ms = ep.measure_paths(fake_encode, [REFERENCE, OV32, OV16], ["t"] * 6)
    assert [str(m.path) for m in ms] == ["torch float32", "openvino float32", "openvino bfloat16"]
    assert ms[0].mean_cosine == pytest.approx(1.0) and ms[1].mean_cosine < 0.99
    assert ms[2].error.startswith("RuntimeError") and ms[2].seconds is None
    assert all(m.seconds >= 0 for m in ms[:2])


def test_measure_paths_warms_every_path_then_keeps_its_fastest_interleaved_round():
    calls = []

    def fake_encode(path, texts):
        calls.append(str(path))
        if len(calls) == 3:  # the first timed call: a slow spell of the machine
            time.sleep(0.2)
        return np.ones((len(texts), 4))

    ms = ep.measure_paths(fake_encode, [REFERENCE, OV16], ["t"] * 4, rounds=3)
    order = ["torch float32", "openvino bfloat16"]
    assert calls == order * 4, "one untimed pass of every path, then rounds of every path"
    assert ms[0].seconds < 0.1, "the slow round does not count: its fastest round does"
    assert all(m.mean_cosine == pytest.approx(1.0) for m in ms)


def test_cached_choice_measures_once_per_setting(tmp_path):
    calls = []

    def measure():
        calls.append(1)
        return measured({REFERENCE: 1.0, OV32: 0.5}, {})

    setting = {"machine": machine.describe(), "threads": 1}
    results = []
    jobs = [
        threading.Thread(
            target=lambda: results.append(ep.cached_choice(tmp_path, setting, measure, ALL))
        )
        for _ in range(3)
    ]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()
    assert len(calls) == 1, "concurrent jobs wait for the first measurement"
    assert {ep.path_of(r) for r in results} == {OV32}
    assert sorted(r["cached"] for r in results) == [False, True, True]
    # another setting (e.g. another thread count) is measured again
    ep.cached_choice(tmp_path, {**setting, "threads": 2}, measure, ALL)
    assert len(calls) == 2
    # a damaged cache file is measured again and rewritten
    file = tmp_path / f"{pathcache.cache_key(setting)}.json"
    file.write_text("{not json")
    rec = ep.cached_choice(tmp_path, setting, measure, ALL)
    assert len(calls) == 3 and rec["cached"] is False
    assert json.loads(file.read_text())["key"] == rec["key"] == file.stem


def test_measurement_round_trips_through_json():
    m = Measurement(OV16, seconds=1.0, reviews_per_second=32.0, mean_cosine=0.999)
    assert Measurement.from_dict(json.loads(json.dumps(m.to_dict()))) == m


def test_machine_description_names_the_cpu(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8488C\n"
        "flags\t\t: fpu avx2 avx512f avx512_bf16 amx_bf16\n\nprocessor\t: 1\n"
    )
    fields = machine._cpuinfo(info)
    assert machine.cpu_model(fields) == "Intel(R) Xeon(R) Platinum 8488C"
    flags = machine.cpu_flags(fields)
    assert flags["avx512_bf16"] and flags["amx_bf16"] and not flags["avx512_vnni"]
    d = machine.describe()
    line = machine.header(d)
    assert line.startswith("CPU: ") and f"{d['cores']} cores" in line and "torch" in line
