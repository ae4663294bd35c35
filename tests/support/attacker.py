"""An attacker of the small-cell rules: what a reader of published figures can deduce about the exact
counts behind them, by integer programming (scipy's HiGHS).

The attacker knows the rules (analytics.disclosure), though not the service's key: each published
count is the sum of day cells, each cell rounded to a multiple of `round_to` within `round_to - 1` of
its count, and a sum under `min_count` is suppressed. So each published figure is an equation on the
cells' rounded values, and each rounded value bounds its cell's count. The attacker is also stronger
than a real one: it knows every combination of dimensions (day, variant, program, institution,
region, language, occupation, portal) that the events hold, though not how many events each has, and
that no session spans two days. A count is *pinned* when all this leaves it a single value.
"""

import random
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

Form = Mapping[Hashable, int]  # a linear form over unknowns: unknown → coefficient
LARGE = 10**5


@dataclass(frozen=True)
class Rounding:
    min_count: int = 10
    round_to: int = 5


@dataclass
class Knowledge:
    """Bounds on linear forms of unknown non-negative integers, and the counts to try to pin."""

    rounding: Rounding = field(default_factory=Rounding)
    bounds: list[tuple[dict[Hashable, int], int, int, str]] = field(default_factory=list)
    targets: dict[tuple[tuple[Hashable, int], ...], str] = field(default_factory=dict)
    cells: dict[Hashable, dict[Hashable, int]] = field(default_factory=dict)  # cell → its count's form

    def bound(self, form: Form, low: int, high: int, where: str) -> None:
        clean = {name: coefficient for name, coefficient in form.items() if coefficient}
        if not clean:
            assert low <= 0 <= high, f"{where}: an empty sum bounded to {low}..{high}"
            return
        self.bounds.append((dict(clean), low, high, where))

    def target(self, form: Form, where: str) -> None:
        if form:
            self.targets.setdefault(tuple(sorted(form.items(), key=repr)), where)

    def cell(self, cell: Hashable, count: Form) -> Hashable:
        """The unknown k of a day cell whose rounded value is round_to × k, within round_to - 1 of its count."""
        name = ("k", cell)
        if cell not in self.cells:
            self.cells[cell] = dict(count)
            step, spread = self.rounding.round_to, self.rounding.round_to - 1
            self.bound(
                {**{key: -value for key, value in count.items()}, name: step}, -spread, spread, f"{cell} rounding"
            )
        return name

    def published(self, cells: Iterable[Hashable], value: int | None, where: str) -> None:
        """A published count: the sum of these cells' rounded values (None: suppressed)."""
        step = self.rounding.round_to
        total = -(-self.rounding.min_count // step) - 1 if value is None else value // step
        low = 1 if value is None else total
        self.bound(dict.fromkeys(cells, 1), low, total, where)

    def pinned(self, truth: Callable[[Hashable], int], tries: int = 8) -> list[str]:
        """The targets whose value the bounds leave single; first checks that the exact counts satisfy
        every bound (else the attacker's model, not the service, is wrong)."""
        names = sorted({name for form, *_ in self.bounds for name in form} | _target_names(self.targets), key=repr)
        index = {name: position for position, name in enumerate(names)}
        broken = [
            f"{where}: exact {sum(c * truth(n) for n, c in form.items())} outside {low}..{high}"
            for form, low, high, where in self.bounds
            if not low <= sum(coefficient * truth(name) for name, coefficient in form.items()) <= high
        ]
        assert not broken, broken[:5]
        matrix = lil_matrix((len(self.bounds), len(names)))
        for row, (form, _, _, _) in enumerate(self.bounds):
            for name, coefficient in form.items():
                matrix[row, index[name]] = coefficient
        constraints = LinearConstraint(
            matrix.tocsr(),
            np.array([low for _, low, _, _ in self.bounds]),
            np.array([high for *_, high, _ in self.bounds]),
        )
        options = {"integrality": np.ones(len(names)), "bounds": Bounds(0, LARGE), "constraints": constraints}
        targets = {target: _objective(target, index, len(names)) for target in self.targets}
        true_values = {target: sum(c * truth(name) for name, c in target) for target in targets}
        # Solutions found with random objectives set every target they move off its count free at once.
        undecided = set(targets)
        generator = random.Random(0)
        for _ in range(tries):
            objective = sum((generator.choice((-1, 1)) * targets[target] for target in undecided), np.zeros(len(names)))
            result = milp(objective, **options)
            assert result.status == 0, result.message
            undecided = {target for target in undecided if round(targets[target] @ result.x) == true_values[target]}
        found = []
        for target in sorted(undecided, key=repr):
            extremes = []
            for sign in (1, -1):
                result = milp(sign * targets[target], **options)
                assert result.status == 0, (self.targets[target], result.message)
                extremes.append(round(sign * result.fun))
            if extremes[0] == extremes[1]:
                found.append(f"{self.targets[target]}: pinned to {extremes[0]}")
        return found


def _objective(target: tuple[tuple[Hashable, int], ...], index: Mapping[Hashable, int], size: int) -> np.ndarray:
    vector = np.zeros(size)
    for name, coefficient in target:
        vector[index[name]] = coefficient
    return vector


def _target_names(targets: Iterable[tuple[tuple[Hashable, int], ...]]) -> set[Hashable]:
    return {name for target in targets for name, _ in target}


def sum_form(names: Iterable[Hashable]) -> dict[Hashable, int]:
    form: dict[Hashable, int] = defaultdict(int)
    for name in names:
        form[name] += 1
    return dict(form)
