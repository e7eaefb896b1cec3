"""Exceptions raised by the ``ludus`` package.

Every call into the engine returns a status and a message; these classes carry the
message the CLI prints for the same failure (``file:line``, time limit, memory limit,
sandbox violation...).
"""


class LudusError(RuntimeError):
    """Base class of every error the engine reports.

    ``kind`` is the stable kind name the CLI and the databases use (``lua_error``,
    ``time_limit``, ``parameter_error``...), when known.
    """

    def __init__(self, message, kind=None):
        super().__init__(message)
        self.message = message
        self.kind = kind


class ScriptError(LudusError):
    """An environment's script failed or broke the contract: syntax or runtime error,
    time or memory limit, sandbox violation, an observation outside its space."""


class SetupError(LudusError, ValueError):
    """What was asked cannot be set up: an unknown environment, parameter or option."""


class ActionError(LudusError, ValueError):
    """An action the environment refuses (outside the action space, or illegal)."""


class BatchError(ScriptError):
    """Some environments of a batch failed; the others went on.

    ``errors`` maps each failed environment's index to its exception. The failed
    environments start a new episode at their next step.
    """

    def __init__(self, errors):
        self.errors = dict(errors)
        first = min(self.errors)
        super().__init__(
            f"{len(self.errors)} environment(s) failed; environment {first}: {self.errors[first]}",
            kind=self.errors[first].kind,
        )


_BY_STATUS = {1: ScriptError, 2: SetupError, 3: LudusError, 4: ActionError, 5: ScriptError}


def from_status(status, message, kind=None):
    """The exception for a non-zero status of the C ABI."""
    return _BY_STATUS.get(status, LudusError)(message, kind=kind)
