"""User formulas f(x, y) -> Surface, parsed by our own whitelist over Python's `ast`.

`parse_formula("x**2 - y**2 + 0.1*sin(5*x)")` returns a Surface; bad text raises
`FormulaError` (a ValueError) whose message and `.position` (0-based offset) say what and where.

The grammar, all of it:
- numbers (`2`, `0.5`, `1e-3`), the variables `x` and `y`, the constants `pi` and `e`;
- `+ - * /` and `**` for powers (`^` is refused with the hint "use ** for powers"),
  unary `-` and `+`, parentheses;
- functions of one argument: sin cos tan exp log (natural; alias ln) sqrt abs tanh sinh cosh
  arctan arcsin arccos (aliases atan asin acos) sigmoid relu softplus; of two: min max.

Nothing else is accepted: no attributes, indexing, strings, keywords, comparisons, lambdas or
comprehensions. The text is never given to eval, exec, compile-and-run, sympify or parse_expr.
Limits keep every answer instant: at most limits.FORMULA_LENGTH (500) characters, 30 nested
parentheses, 40 levels of nesting in the tree (a long chain like a + b + c counts once), 300
tree nodes, and constant exponents of at most ±100 (so `9**9**9` is refused before anything
is computed).

Derivatives are exact: forward-mode automatic differentiation carries (value, gradient,
Hessian) through each operation of the tree with the textbook rules (product, quotient, chain).
Its cost is linear in the formula's size. Symbolic differentiation with sympy was measured to
take 1 s for a product of 15 factors and 4 s for 30 (the Hessian grows cubically), which a
500-character formula can reach, so sympy is not used. At a kink the derivative taken is
that of the convention d|u|/du = sign(u) = 0 and relu'(0) = 0; max/min follow the first
argument at a tie. Outside a function's domain (log of a negative, 0/0) values are NaN, quietly.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import numpy as np

from valley.core.limits import FORMULA_LENGTH
from valley.core.objective import Surface

MAX_PARENTHESES = 30
MAX_DEPTH = 40
MAX_NODES = 300
MAX_EXPONENT = 100.0

NAMES = {"x", "y", "pi", "e"}
CONSTANTS = {"pi": math.pi, "e": math.e}
ALIASES = {"ln": "log", "atan": "arctan", "asin": "arcsin", "acos": "arccos"}
UNARY = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "arctan",
         "arcsin", "arccos", "sigmoid", "relu", "softplus"]
BINARY = ["min", "max"]
FUNCTIONS = set(UNARY) | set(BINARY) | set(ALIASES)
_ALLOWED_CHARACTERS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                          ".+-*/(), \t")
_CHARACTER_HINTS = {"^": "use ** for powers", "−": "type - for minus", "×": "type * to multiply",
                    "·": "type * to multiply", "÷": "type / to divide", "²": "write **2",
                    "³": "write **3", "=": "type only the right-hand side, f(x, y) = ...",
                    "_": "names are x, y, pi, e and the listed functions"}
_FORBIDDEN = {
    ast.Attribute: "attribute access ('.')", ast.Subscript: "indexing",
    ast.Compare: "a comparison", ast.BoolOp: "'and'/'or'", ast.IfExp: "'if ... else'",
    ast.Lambda: "a lambda", ast.Tuple: "a comma outside a function call",
    ast.Starred: "'*' unpacking", ast.Await: "'await'", ast.Yield: "'yield'",
    ast.ListComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.JoinedStr: "a string", ast.List: "a list", ast.Set: "a set", ast.Dict: "a dict",
}


class FormulaError(ValueError):
    """A formula we refuse, with the 0-based character `position` of the problem (or None)."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


# ---- the compiled program: a post-order list of instructions -----------------------------

class _Compiler:
    """Validate an ast tree against the whitelist and flatten it into instructions.

    Instructions are ("const", value), ("var", 0 or 1), ("call", name, i) and
    ("op", symbol, i, j), where i and j index earlier instructions; a power with a constant
    exponent c is ("call", ("pow", c), i), one with a constant base k
    ("call", ("exp_base", k), j). Subtrees without x or y are folded to constants here, so
    their size and finiteness are checked before any grid.
    """

    def __init__(self, lead: int, variables: list[str], open_names: bool):
        self.lead = lead  # characters of leading blank stripped before ast.parse
        self.variables = variables  # ("var", k) reads variables[k]
        self.open_names = open_names  # an unknown name is a new variable (graphs), not an error
        self.program: list[tuple] = []
        self.positions: list[int] = []  # where in the text each instruction comes from
        self.nodes = 0

    def where(self, node) -> int:
        # The text is ASCII by the time ast sees it, so byte offsets are character offsets.
        return self.lead + int(getattr(node, "col_offset", 0))

    def const(self, value: float, node) -> int:
        if not math.isfinite(value):
            raise FormulaError(f"the part at position {self.where(node)} evaluates to {value} "
                               "(not a finite real number)", self.where(node))
        self.program.append(("const", float(value)))
        self.positions.append(self.where(node))
        return len(self.program) - 1

    def is_const(self, i: int) -> bool:
        return self.program[i][0] == "const"

    def emit(self, instruction: tuple, node) -> int:
        kind, name, *operands = instruction
        if all(self.is_const(i) for i in operands):
            with np.errstate(all="ignore"):
                value = _apply(kind, name, *[self.program[i][1] for i in operands])
            return self.const(float(value), node)
        if kind == "op" and name == "**":
            # Constant exponent or constant base: cheaper, exact derivative rules.
            base, exponent = operands
            if self.is_const(exponent):
                instruction = ("call", ("pow", self.program[exponent][1]), base)
            elif self.is_const(base):
                instruction = ("call", ("exp_base", self.program[base][1]), exponent)
        self.program.append(instruction)
        self.positions.append(self.where(node))
        return len(self.program) - 1

    def visit(self, node, depth: int) -> int:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FormulaError(f"formula is too long: more than {MAX_NODES} parts "
                               f"(at position {self.where(node)})", self.where(node))
        if depth > MAX_DEPTH:
            raise FormulaError(f"formula nests too deeply at position {self.where(node)} "
                               f"(limit {MAX_DEPTH} levels)", self.where(node))
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise FormulaError(f"{value!r} at position {self.where(node)} is not a number "
                                   "allowed in a formula", self.where(node))
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            return self.const(number, node)
        if isinstance(node, ast.Name):
            known = node.id in self.variables or node.id in CONSTANTS or node.id in FUNCTIONS
            if self.open_names and not known:
                self.variables.append(node.id)  # a graph's new input
            if node.id in self.variables:
                self.program.append(("var", self.variables.index(node.id)))
                self.positions.append(self.where(node))
                return len(self.program) - 1
            if node.id in CONSTANTS:
                return self.const(CONSTANTS[node.id], node)
            if node.id in FUNCTIONS:
                raise FormulaError(f"'{node.id}' at position {self.where(node)} is a function: "
                                   f"write {node.id}(...)", self.where(node))
            raise FormulaError(f"unknown name '{node.id}' at position {self.where(node)}: "
                               "use x, y, pi, e", self.where(node))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            i = self.visit(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return i
            return self.emit(("call", "neg", i), node)
        if isinstance(node, ast.BinOp):
            return self.binary(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        what = _FORBIDDEN.get(type(node), f"'{type(node).__name__}'")
        if isinstance(node, ast.UnaryOp):
            what = "'not'" if isinstance(node.op, ast.Not) else "'~'"
        raise FormulaError(f"{what} is not allowed in a formula (position {self.where(node)})",
                           self.where(node))

    def binary(self, node: ast.BinOp, depth: int) -> int:
        symbols = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
        symbol = symbols.get(type(node.op))
        if symbol is None:
            hint = " (use / to divide)" if isinstance(node.op, ast.FloorDiv) else ""
            raise FormulaError(f"operator {type(node.op).__name__} is not allowed at position "
                               f"{self.where(node)}{hint}", self.where(node))
        # A chain a + b - c (or a * b / c) is one level of nesting, not one per operator.
        chain = {"+": (ast.Add, ast.Sub), "-": (ast.Add, ast.Sub),
                 "*": (ast.Mult, ast.Div), "/": (ast.Mult, ast.Div)}.get(symbol, ())
        left_is_chain = isinstance(node.left, ast.BinOp) and isinstance(node.left.op, chain)
        left = self.visit(node.left, depth if left_is_chain else depth + 1)
        right = self.visit(node.right, depth + 1)
        if symbol == "/" and self.is_const(right) and self.program[right][1] == 0.0:
            where = self.where(node.right)
            raise FormulaError(f"division by zero at position {where}", where)
        if symbol == "**" and self.is_const(right):
            exponent = self.program[right][1]
            if abs(exponent) > MAX_EXPONENT:
                where = self.where(node.right)
                raise FormulaError(f"exponent {exponent:g} at position {where} is too large "
                                   f"(at most ±{MAX_EXPONENT:g})", where)
        return self.emit(("op", symbol, left, right), node)

    def call(self, node: ast.Call, depth: int) -> int:
        if not isinstance(node.func, ast.Name):
            raise FormulaError(f"only the listed functions can be called (position "
                               f"{self.where(node)})", self.where(node))
        name = node.func.id
        if name not in FUNCTIONS:
            raise FormulaError(f"unknown function '{name}' at position {self.where(node)}: use "
                               f"{', '.join(UNARY + BINARY)}", self.where(node))
        if node.keywords:
            raise FormulaError(f"keyword arguments are not allowed (position "
                               f"{self.where(node.keywords[0])})", self.where(node.keywords[0]))
        name = ALIASES.get(name, name)
        wanted = 2 if name in BINARY else 1
        if len(node.args) != wanted:
            raise FormulaError(f"{name} takes {wanted} argument{'s' * (wanted > 1)}, got "
                               f"{len(node.args)} (position {self.where(node)})", self.where(node))
        args = [self.visit(a, depth + 1) for a in node.args]
        if name in BINARY:
            return self.emit(("op", name, *args), node)
        return self.emit(("call", name, *args), node)


# ---- evaluation: values only, or values with exact derivatives ---------------------------

def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


# name -> (f, f', f'') as functions of u and the value v = f(u) (reused where cheaper).
_RULES = {
    "neg": (np.negative, lambda u, v: -1.0, lambda u, v: 0.0),
    "sin": (np.sin, lambda u, v: np.cos(u), lambda u, v: -v),
    "cos": (np.cos, lambda u, v: -np.sin(u), lambda u, v: -v),
    "tan": (np.tan, lambda u, v: 1.0 + v * v, lambda u, v: 2.0 * v * (1.0 + v * v)),
    "exp": (np.exp, lambda u, v: v, lambda u, v: v),
    "log": (np.log, lambda u, v: 1.0 / u, lambda u, v: -1.0 / (u * u)),
    "sqrt": (np.sqrt, lambda u, v: 0.5 / v, lambda u, v: -0.25 / (v * u)),
    "abs": (np.abs, lambda u, v: np.sign(u), lambda u, v: 0.0),
    "tanh": (np.tanh, lambda u, v: 1.0 - v * v, lambda u, v: -2.0 * v * (1.0 - v * v)),
    "sinh": (np.sinh, lambda u, v: np.cosh(u), lambda u, v: v),
    "cosh": (np.cosh, lambda u, v: np.sinh(u), lambda u, v: v),
    "arctan": (np.arctan, lambda u, v: 1.0 / (1.0 + u * u),
               lambda u, v: -2.0 * u / (1.0 + u * u) ** 2),
    "arcsin": (np.arcsin, lambda u, v: 1.0 / np.sqrt(1.0 - u * u),
               lambda u, v: u / (1.0 - u * u) ** 1.5),
    "arccos": (np.arccos, lambda u, v: -1.0 / np.sqrt(1.0 - u * u),
               lambda u, v: -u / (1.0 - u * u) ** 1.5),
    "sigmoid": (_sigmoid, lambda u, v: v * (1.0 - v),
                lambda u, v: v * (1.0 - v) * (1.0 - 2.0 * v)),
    "relu": (lambda u: np.maximum(u, 0.0), lambda u, v: (u > 0) * 1.0, lambda u, v: 0.0),
    "softplus": (lambda u: np.logaddexp(0.0, u), lambda u, v: _sigmoid(u),
                 lambda u, v: _sigmoid(u) * (1.0 - _sigmoid(u))),
}

_VALUE_OPS = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power,
    "min": lambda a, b: np.where(a <= b, a, b), "max": lambda a, b: np.where(a >= b, a, b),
}


def _apply(kind, name, a, b=None):
    """One instruction on values."""
    if kind == "op":
        return _VALUE_OPS[name](a, b)
    if isinstance(name, tuple):  # ("pow", c): a**c, or ("exp_base", k): k**a
        return a ** name[1] if name[0] == "pow" else name[1] ** a
    return _RULES[name][0](a)


def _last_uses(program) -> list[tuple[int, ...]]:
    """For each instruction, the registers it reads for the last time (they can go after it).

    A grid holds one array per register: a 299-factor product over a 2048² grid kept 600 of
    them (4.9 GB); freed after their last use, a few are alive at a time.
    """
    last = {}
    for j, (_kind, _arg, *operands) in enumerate(program):
        for i in operands:
            last[i] = j
    frees: list[list[int]] = [[] for _ in program]
    for i, j in last.items():
        frees[j].append(i)
    return [tuple(f) for f in frees]


def _run_values(program, x, y, frees):
    regs = []
    for (kind, arg, *operands), done in zip(program, frees):
        if kind == "const":
            regs.append(arg)
        elif kind == "var":
            regs.append(x if arg == 0 else y)
        else:
            regs.append(_apply(kind, arg, *[regs[i] for i in operands]))
        for i in done:
            regs[i] = None
    return regs[-1]


def _zero(p) -> bool:
    return isinstance(p, float) and p == 0.0


# Derivative parts that are exactly 0.0 (constants; y-parts of an x-only term) stay Python
# floats, so these skip array work on them: a formula costs what its variables need.
def _mul(p, q):
    return 0.0 if _zero(p) or _zero(q) else p * q


def _add(*terms):
    live = [t for t in terms if not _zero(t)]
    if not live:
        return 0.0
    total = live[0]
    for t in live[1:]:
        total = total + t
    return total


class _Jet:
    """A value with its gradient (gx, gy) and, for second order, its Hessian (hxx, hxy, hyy)."""

    __slots__ = ("v", "d")

    def __init__(self, v, d):
        self.v, self.d = v, d

    def chain(self, f0, f1, f2):
        """f(u) for this u, given f, f' and f'' evaluated at u."""
        d = self.d
        if len(d) == 2:
            return _Jet(f0, (_mul(f1, d[0]), _mul(f1, d[1])))
        gx, gy, hxx, hxy, hyy = d
        return _Jet(f0, (_mul(f1, gx), _mul(f1, gy),
                         _add(_mul(f2, _mul(gx, gx)), _mul(f1, hxx)),
                         _add(_mul(f2, _mul(gx, gy)), _mul(f1, hxy)),
                         _add(_mul(f2, _mul(gy, gy)), _mul(f1, hyy))))


def _jet_op(symbol, a: _Jet, b: _Jet) -> _Jet:
    if symbol == "+":
        return _Jet(a.v + b.v, tuple(_add(p, q) for p, q in zip(a.d, b.d)))
    if symbol == "-":
        return _Jet(a.v - b.v, tuple(_add(p, _mul(-1.0, q)) for p, q in zip(a.d, b.d)))
    if symbol == "*":
        u, w = a.v, b.v
        if len(a.d) == 2:
            return _Jet(u * w, (_add(_mul(a.d[0], w), _mul(u, b.d[0])),
                                _add(_mul(a.d[1], w), _mul(u, b.d[1]))))
        ax, ay, axx, axy, ayy = a.d
        bx, by, bxx, bxy, byy = b.d
        return _Jet(u * w, (_add(_mul(ax, w), _mul(u, bx)), _add(_mul(ay, w), _mul(u, by)),
                            _add(_mul(axx, w), _mul(2.0, _mul(ax, bx)), _mul(u, bxx)),
                            _add(_mul(axy, w), _mul(ax, by), _mul(ay, bx), _mul(u, bxy)),
                            _add(_mul(ayy, w), _mul(2.0, _mul(ay, by)), _mul(u, byy))))
    if symbol == "/":
        w = b.v
        if all(_zero(p) for p in b.d):
            # A divisor with no derivatives (a constant, never 0: the compiler refuses that)
            # divides a's; 1/w**3 of a tiny constant (1e-200) would underflow to a Python
            # float division by zero.
            r = 1.0 / w
            return _Jet(a.v / w, tuple(_mul(p, r) for p in a.d))
        return _jet_op("*", a, b.chain(1.0 / w, -1.0 / (w * w), 2.0 / (w * w * w)))
    if symbol in ("min", "max"):
        first = (a.v <= b.v) if symbol == "min" else (a.v >= b.v)
        return _Jet(np.where(first, a.v, b.v),
                    tuple(np.where(first, p, q) for p, q in zip(a.d, b.d)))
    # u**w = exp(w·ln u), defined for u > 0
    return _jet_call("exp", _jet_op("*", b, _jet_call("log", a)))


def _jet_call(name, u: _Jet) -> _Jet:
    second = len(u.d) == 5
    if isinstance(name, tuple) and name[0] == "pow":  # u**c
        c, base = name[1], u.v
        f1 = c * base ** (c - 1.0) if c != 0.0 else 0.0
        f2 = c * (c - 1.0) * base ** (c - 2.0) if second and c not in (0.0, 1.0) else 0.0
        return u.chain(base ** c, f1, f2)
    if isinstance(name, tuple):  # k**u = exp(u·ln k); NaN for k <= 0 except where defined
        k = name[1]
        v = k ** u.v
        ln_k = math.log(k) if k > 0 else math.nan
        return u.chain(v, ln_k * v, ln_k * ln_k * v)
    f, f1, f2 = _RULES[name]
    v = f(u.v)
    return u.chain(v, f1(u.v, v), f2(u.v, v) if second else 0.0)


def _run_jets(program, x, y, second: bool, frees):
    zero = (0.0,) * (5 if second else 2)
    seeds = [(1.0, 0.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0, 0.0)]
    regs: list[_Jet | None] = []
    for (kind, arg, *operands), done in zip(program, frees):
        if kind == "const":
            regs.append(_Jet(arg, zero))
        elif kind == "var":
            regs.append(_Jet(x if arg == 0 else y, seeds[arg][:len(zero)]))
        elif kind == "call":
            regs.append(_jet_call(arg, regs[operands[0]]))
        else:
            regs.append(_jet_op(arg, regs[operands[0]], regs[operands[1]]))
        for i in done:
            regs[i] = None
    return regs[-1]


class FormulaSurface(Surface):
    """A surface typed by the user, with exact derivatives by forward-mode differentiation."""

    name = "formula"

    def __init__(self, text: str, program: list[tuple], bounds=((-3.0, 3.0), (-3.0, 3.0))):
        self.formula = text
        self.title = f"f(x, y) = {text}"
        self.bounds = bounds
        self.params, self.param_ranges = {}, {}
        self.minima, self.saddles = [], []
        self._program = program
        self._frees = _last_uses(program)
        self.cost = len(program)

    def _f(self, x, y):
        return _run_values(self._program, x, y, self._frees)

    def _grad(self, x, y):
        return _run_jets(self._program, x, y, False, self._frees).d

    def _hess(self, x, y):
        return _run_jets(self._program, x, y, True, self._frees).d[2:]


# ---- parsing -----------------------------------------------------------------------------

def _check_characters(text: str):
    depth = 0
    for position, ch in enumerate(text):
        if ch not in _ALLOWED_CHARACTERS:
            hint = _CHARACTER_HINTS.get(ch, "formulas use x, y, numbers, + - * / **, "
                                            "parentheses and functions")
            raise FormulaError(f"character {ch!r} at position {position} is not allowed: "
                               f"{hint}", position)
        if ch == "(":
            depth += 1
            if depth > MAX_PARENTHESES:
                raise FormulaError(f"too many nested parentheses at position {position} "
                                   f"(limit {MAX_PARENTHESES})", position)
        elif ch == ")":
            depth -= 1


def _syntax_error(text: str, lead: int, error: SyntaxError) -> FormulaError:
    offset = error.offset or 0
    position = len(text) if offset <= 0 else min(lead + offset - 1, len(text))
    message = error.msg
    if "decimal literal" in message:
        message += " (write 2*x for a product, not 2x)"
    if position >= len(text.rstrip()):
        return FormulaError(f"formula ends too early: {message}", len(text.rstrip()))
    return FormulaError(f"{message} at position {position}", position)


def parse_formula(text: str, bounds=((-3.0, 3.0), (-3.0, 3.0))) -> FormulaSurface:
    """Parse a user formula in x and y into a Surface with exact gradient and Hessian."""
    return FormulaSurface(text, compile_program(text).instructions, bounds)


@dataclass(frozen=True)
class Program:
    """A checked formula as post-order instructions (see _Compiler), the text position each
    comes from, and the variable names ("var", k) reads. Constant operands folded into a
    later constant stay in the list, unread."""

    instructions: list[tuple]
    positions: list[int]
    variables: list[str]


def compile_program(text: str, variables=("x", "y"), open_names: bool = False) -> Program:
    """The formula's checked program over `variables`; with `open_names` every other name that
    is not a constant or a function becomes a further variable (the computational graph's
    inputs). FormulaError as parse_formula; positions count from the start of `text`."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, got {type(text).__name__}")
    if len(text) > FORMULA_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {FORMULA_LENGTH}",
                           FORMULA_LENGTH)
    if not text.strip():
        raise FormulaError("formula is empty: type an expression in x and y, e.g. x**2 - y**2", 0)
    _check_characters(text)
    lead = len(text) - len(text.lstrip(" \t"))  # ast refuses a leading indent
    try:
        tree = ast.parse(text[lead:], mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text, lead, error) from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula is too deeply nested to read", None) from None
    compiler = _Compiler(lead, list(variables), open_names)
    try:
        compiler.visit(tree.body, 0)
    except RecursionError:
        raise FormulaError("formula is too deeply nested to read", None) from None
    return Program(compiler.program, compiler.positions, compiler.variables)


def apply_instruction(instruction: tuple, operands) -> tuple[float, tuple[float, ...]]:
    """One "op" or "call" instruction at its operands' values: its value and its derivative with
    respect to each operand, by the rules the formula's own derivatives use (the local
    derivatives on a computational graph's edges). Quiet NaN or inf outside a domain."""
    kind, name = instruction[0], instruction[1]
    # numpy scalars: a division by zero is inf or NaN, as on a grid, not ZeroDivisionError
    jets = [_Jet(np.float64(v), seed) for v, seed in zip(operands, ((1.0, 0.0), (0.0, 1.0)))]
    with np.errstate(all="ignore"):
        out = _jet_op(name, *jets) if kind == "op" else _jet_call(name, *jets)
        value = _apply(kind, name, *[j.v for j in jets])  # as the surface's values: 2**3 is 8 exactly
    return float(value), tuple(float(d) for d in out.d[:len(operands)])
