"""The matrix functions and factorizations have no cuda kernels: each says so and names the
way to compute it (on the cpu, where LAPACK runs them, then back)."""


def _unavailable(name):
    return RuntimeError(f"linalg.{name} has no cuda kernel in minigrad: compute it on the cpu "
                        f"and move the result back, e.g. torch.linalg.{name}(A.cpu()).cuda() "
                        f"(with minigrad in place of torch); gradients flow through .cpu() and "
                        f".cuda()")


def inv(a):
    raise _unavailable("inv")


def solve(a, b):
    raise _unavailable("solve")


def det(a):
    raise _unavailable("det")


def slogdet(a):
    raise _unavailable("slogdet")


def cholesky(a):
    raise _unavailable("cholesky")


def qr(a, mode):
    raise _unavailable("qr")


def svd(a, full_matrices):
    raise _unavailable("svd")
