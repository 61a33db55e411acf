"""gradcheck's earlier home; it lives in fastgrad.autograd.gradcheck (torch.autograd's place)."""
from ..autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401
