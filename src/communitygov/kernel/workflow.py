"""Workflows: state machines defined with ``transitions``, built once, applied to frozen records.

A :class:`Workflow` builds one ``transitions`` machine for a whole definition (a procedure, say),
with ``model=None`` and ``auto_transitions=False``, and never attaches domain objects to it: a
machine per object is slow and leaks. The machine is compiled once into a lookup table that
answers, for any state, which actions are allowed and where each leads, and it draws the
definition as a Mermaid state diagram. Aggregates keep their state as a plain string and ask
the workflow before every change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import attrs
from transitions import Machine
from transitions.extensions import GraphMachine
from transitions.extensions.diagrams_mermaid import Graph

from communitygov.errors import DefinitionError, TransitionNotAllowed

__all__ = ["Step", "Workflow"]


@attrs.frozen
class Step:
    """One edge of a workflow: ``action`` taken in ``source`` leads to ``dest``."""

    action: str
    source: str
    dest: str


class Workflow:
    """A state machine over named states, compiled once for fast lookups.

    Args:
        name: what the workflow is (used in diagrams and errors).
        states: every state, in the order diagrams show them.
        steps: the allowed actions; an action may appear once per source state.
        initial: the state a new record starts in.
        terminal: states no action leaves.

    Raises:
        DefinitionError: an unknown state, a duplicate action in one state, or an action out of
            a terminal state.
    """

    def __init__(
        self,
        name: str,
        states: Sequence[str],
        steps: Iterable[Step],
        initial: str,
        terminal: Collection[str] = (),
    ) -> None:
        self.name = name
        self.states: tuple[str, ...] = tuple(states)
        self.steps: tuple[Step, ...] = tuple(steps)
        self.initial = initial
        self.terminal = frozenset(terminal)
        self._check()
        self.machine: Machine = Machine(
            model=None,
            states=list(self.states),
            transitions=[
                {"trigger": s.action, "source": s.source, "dest": s.dest} for s in self.steps
            ],
            initial=initial,
            auto_transitions=False,
            send_event=True,
        )
        self.table: Mapping[tuple[str, str], str] = self._compile(self.machine)
        """Every allowed transition: ``(state, action)`` to the state it leads to."""
        allowed: dict[str, list[str]] = {state: [] for state in self.states}
        for state, action in self.table:
            allowed[state].append(action)
        self._allowed: Mapping[str, tuple[str, ...]] = {
            state: tuple(actions) for state, actions in allowed.items()
        }

    def _check(self) -> None:
        what = f"workflow {self.name!r}"
        known = set(self.states)
        if len(known) != len(self.states):
            raise DefinitionError(what, "a state is listed twice")
        if self.initial not in known:
            raise DefinitionError(what, f"initial state {self.initial!r} is not a state")
        if not self.terminal <= known:
            raise DefinitionError(what, f"unknown terminal states {sorted(self.terminal - known)}")
        seen: set[tuple[str, str]] = set()
        for step in self.steps:
            for state in (step.source, step.dest):
                if state not in known:
                    raise DefinitionError(what, f"action {step.action!r} uses unknown {state!r}")
            if step.source in self.terminal:
                raise DefinitionError(what, f"{step.action!r} leaves terminal {step.source!r}")
            if (step.source, step.action) in seen:
                raise DefinitionError(what, f"{step.action!r} appears twice in {step.source!r}")
            seen.add((step.source, step.action))

    @staticmethod
    def _compile(machine: Machine) -> dict[tuple[str, str], str]:
        """Read the machine's own transition table, so the fast path cannot drift from it."""
        table: dict[tuple[str, str], str] = {}
        for action, event in machine.events.items():
            for source, transitions in event.transitions.items():
                table[(source, action)] = str(transitions[0].dest)
        return table

    def allowed(self, state: str) -> tuple[str, ...]:
        """The actions allowed in ``state``, in definition order."""
        return self._allowed.get(state, ())

    def can(self, state: str, action: str) -> bool:
        """Whether ``action`` is allowed in ``state``."""
        return (state, action) in self.table

    def target(self, state: str, action: str) -> str:
        """The state ``action`` leads to from ``state``.

        Raises:
            TransitionNotAllowed: the action is not allowed there; the error lists what is.
        """
        try:
            return self.table[(state, action)]
        except KeyError:
            raise TransitionNotAllowed(action, state, self.allowed(state)) from None

    def is_terminal(self, state: str) -> bool:
        """Whether ``state`` is final."""
        return state in self.terminal

    def mermaid(self, title: str | None = None) -> str:
        """The workflow as a Mermaid ``stateDiagram-v2`` document."""
        graph_machine = GraphMachine(
            model=None,
            states=list(self.states),
            transitions=[
                {"trigger": s.action, "source": s.source, "dest": s.dest} for s in self.steps
            ],
            initial=self.initial,
            auto_transitions=False,
            graph_engine="mermaid",
            title=title or self.name,
            show_state_attributes=False,
        )
        graph = Graph(graph_machine)  # type: ignore[arg-type]  # the stub says type, it takes one
        source: str = graph.get_graph(title=title or self.name).source
        return source
