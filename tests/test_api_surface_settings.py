"""Print options, nn.Buffer and inference-mode queries, compared with torch."""
import pytest

import minigrad

torch = pytest.importorskip("torch")


@pytest.fixture
def restore_print_options():
    yield
    minigrad.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


@pytest.mark.parametrize("options", [{"precision": 2}, {"sci_mode": False},
                                     {"precision": 6, "sci_mode": True},
                                     {"profile": "short"}, {"linewidth": 30}])
def test_set_printoptions_matches_torch(restore_print_options, options):
    values = [[1.123456, 200.5, 3.0, -7.25], [0.5, 1e-5, 2.0, 0.125]]
    minigrad.set_printoptions(**options)
    torch.set_printoptions(**options)
    for rows in (values, [[1.0, 2.0, 3.0]], [[0.25, -0.5]]):
        assert repr(minigrad.tensor(rows)) == repr(torch.tensor(rows))


def test_print_threshold_summarises(restore_print_options):
    minigrad.set_printoptions(threshold=5, edgeitems=2)
    assert "..." in repr(minigrad.arange(10.0))
    minigrad.set_printoptions(profile="full")
    assert "..." not in repr(minigrad.arange(2000.0))
    with pytest.raises(ValueError, match="profile"):
        minigrad.set_printoptions(profile="tiny")


def test_buffer_assignment_registers_a_buffer():
    for m in (torch, minigrad):
        module = m.nn.Module()
        hidden = m.nn.Buffer(m.ones(2), persistent=False)
        module.hidden = hidden
        module.kept = m.nn.Buffer(m.zeros(1))
        assert module.hidden is hidden and isinstance(module.hidden, m.nn.Buffer)
        assert list(module.state_dict()) == ["kept"]
        assert [name for name, _ in module.named_buffers()] == ["hidden", "kept"]
        assert m.nn.Buffer().numel() == 0
    with pytest.raises(TypeError):
        minigrad.nn.Buffer([1.0, 2.0])


def test_inference_mode_queries_match_torch():
    for m in (torch, minigrad):
        assert not m.is_inference_mode_enabled()
        with m.inference_mode():
            assert m.is_inference_mode_enabled() and not m.is_grad_enabled()
            with m.inference_mode(False):
                assert not m.is_inference_mode_enabled() and m.is_grad_enabled()
        assert m.inference_mode()(m.is_inference_mode_enabled)()
        assert not m.is_inference_mode_enabled()


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")
def test_anomaly_detection_names_the_node_that_made_a_nan(device):
    for m, x in ((torch, torch.tensor([0.0, 1.0], requires_grad=True)),
                 (minigrad, minigrad.tensor([0.0, 1.0], device=device, requires_grad=True))):
        with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values "
                                               "in its 0th output"):
            with m.autograd.detect_anomaly():
                (x.sqrt() * 0).sum().backward()
        assert not m.is_anomaly_enabled()
        with m.autograd.set_detect_anomaly(True, check_nan=False):
            assert m.is_anomaly_enabled() and not m.is_anomaly_check_nan_enabled()
            (x.sqrt() * 0).sum().backward()  # no NaN check asked for
        m.set_anomaly_enabled(True)
        assert m.is_anomaly_enabled() and m.is_anomaly_check_nan_enabled()
        m.set_anomaly_enabled(False)
    y = minigrad.tensor([1.0, 4.0], device=device, requires_grad=True)
    root = y.sqrt()
    with minigrad.autograd.detect_anomaly():
        root.sum().backward(retain_graph=True)  # finite gradients pass
    assert not root.grad_fn._post_hooks  # the checks were removed from the graph afterwards
