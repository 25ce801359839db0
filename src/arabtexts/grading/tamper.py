"""Tamper flags: a static scan of what a student wrote, for the instructor to look at.

:func:`scan_notebook` reads the cells a student wrote (answer cells and cells they added; the
locked setup and test cells are the course's) with :mod:`ast`, in the grader's own process:
nothing of the student's code runs. It returns one :class:`Flag` per kind of suspicious act
and cell, with a message in plain English and Arabic naming the cell, for example::

    Flag("patch-module", "Answer cell «q2-answer»: it changes something inside an imported
    module (`pd.DataFrame.__eq__`) … · خلية الإجابة «q2-answer»: تغيّر شيئًا داخل وحدة مستوردة …")

A flag is not a verdict: grading happens outside the student's kernel, so these tricks can
change only the data a student hands in, never a score. The flags tell the instructor where
to look. An honest submission (the model answers, a plausible wrong answer) gets none.

Kinds (``Flag.code``):

``ipython-hook``      IPython input/AST transformers, events, custom exception handlers, magics,
                      extensions, display/except hooks
``patch-module``      assigning to (or deleting) attributes of imported modules or of what was
                      imported from them; ``sys.modules``; ``setattr`` on them
``patch-builtins``    ``builtins`` / ``__builtins__``
``dunder-method``     defining or assigning ``__eq__``, ``__hash__``, ``__bool__`` … (objects that
                      lie when compared or converted)
``subclass-builtin``  classes derived from ``int``, ``str``, ``list``, ``DataFrame`` …, or made with
                      ``type(name, bases, dict)``
``introspection``     walking frames or objects: ``gc``, ``inspect``, ``ctypes``, ``sys.settrace``,
                      ``sys._getframe``, ``sys.setprofile``, ``f_back``, ``__globals__`` …
``dynamic-code``      ``exec``, ``eval``, ``compile``, ``__import__``, ``importlib``
``outside-folder``    absolute paths, ``..``, ``~``, listing folders (``os.walk``, ``glob``,
                      ``os.listdir``), ``os.chdir``, names of the course's private folders
``environment``       reading the environment (``os.environ``, ``os.getenv``, ``%env``)
``process``           ``subprocess``, ``os.system``, ``os.fork``, ``!shell``, ``%%bash`` …
``signal``            ``os.kill``, ``os.killpg``, ``signal`` (stopping other processes)
``network``           ``socket``, ``urllib``, ``http``, ``requests`` …
``script``            JavaScript or active HTML in an output (``<script>``, ``onerror=``, ``%%js``)
``marker``            the text of nbgrader's hidden-test markers in a student's cell
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["Flag", "scan_notebook", "scan_source", "KINDS"]


@dataclass(frozen=True)
class Flag:
    """One suspicious act in one cell: a short ``code`` and a plain-language ``message``."""

    code: str
    message: str
    cell: str | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "cell": self.cell}


#: code → (English, Arabic) explanation
KINDS: dict[str, tuple[str, str]] = {
    "ipython-hook": (
        "it installs an IPython hook (input or AST transformer, event, exception handler, magic or "
        "extension), which can change how later cells run",
        "تثبّت خطّافًا في IPython (محوّل مدخلات أو شجرة، حدث، معالج استثناءات، أمر سحري أو امتداد) قد يغيّر طريقة تنفيذ الخلايا التالية"),
    "patch-module": (
        "it changes something inside an imported module or library",
        "تغيّر شيئًا داخل وحدة أو مكتبة مستوردة"),
    "patch-builtins": (
        "it changes or reaches into Python's built-in functions (builtins)",
        "تغيّر دوال بايثون المدمجة (builtins) أو تعبث بها"),
    "dunder-method": (
        "it defines or replaces a special method that decides how objects compare or convert "
        "(such as __eq__ or __hash__)",
        "تعرّف أو تستبدل دالة خاصة تحدّد كيف تُقارَن الكائنات أو تُحوَّل (مثل __eq__ أو __hash__)"),
    "subclass-builtin": (
        "it makes a subclass of a built-in or library type (such as int, str, list or DataFrame)",
        "تنشئ صنفًا فرعيًا من نوع مدمج أو من نوع مكتبة (مثل int أو str أو list أو DataFrame)"),
    "introspection": (
        "it walks the interpreter's frames or objects (gc, inspect, ctypes, tracing)",
        "تتجوّل في إطارات المفسّر أو كائناته (gc أو inspect أو ctypes أو التتبّع)"),
    "dynamic-code": (
        "it builds and runs code at run time (exec, eval, compile, __import__, importlib)",
        "تبني شيفرة وتنفّذها أثناء التشغيل (exec أو eval أو compile أو __import__ أو importlib)"),
    "outside-folder": (
        "it reaches for files outside its own folder (absolute paths, .., listing folders, the "
        "course's private folders)",
        "تحاول الوصول إلى ملفات خارج مجلدها (مسارات مطلقة أو .. أو سرد المجلدات أو مجلدات المقرر الخاصة)"),
    "environment": (
        "it reads the environment variables of the machine",
        "تقرأ متغيرات البيئة في الجهاز"),
    "process": (
        "it starts other programs or processes (subprocess, os.system, fork, shell commands)",
        "تشغّل برامج أو عمليات أخرى (subprocess أو os.system أو fork أو أوامر الصدفة)"),
    "signal": (
        "it sends signals to processes (os.kill, signal), which could stop other programs",
        "ترسل إشارات إلى العمليات (os.kill أو signal) وقد توقف برامج أخرى"),
    "network": (
        "it opens network connections (socket, urllib, http, requests)",
        "تفتح اتصالات شبكية (socket أو urllib أو http أو requests)"),
    "script": (
        "it shows HTML or JavaScript that would run in the browser of whoever opens the notebook "
        "(the instructor's formgrader included)",
        "تعرض HTML أو JavaScript قد يُنفَّذ في متصفح من يفتح الدفتر (ومنهم المدرّس في أداة التصحيح)"),
    "marker": (
        "it contains the text of nbgrader's hidden-test markers",
        "تحتوي نص علامات الاختبارات المخفية في nbgrader"),
}

_MODULE_KIND = {
    "gc": "introspection", "inspect": "introspection", "ctypes": "introspection",
    "_ctypes": "introspection", "cffi": "introspection", "tracemalloc": "introspection",
    "faulthandler": "introspection", "dis": "introspection",
    "builtins": "patch-builtins", "__builtin__": "patch-builtins",
    "importlib": "dynamic-code", "imp": "dynamic-code", "runpy": "dynamic-code",
    "marshal": "dynamic-code", "code": "dynamic-code", "codeop": "dynamic-code",
    "subprocess": "process", "pty": "process", "multiprocessing": "process",
    "_posixsubprocess": "process", "concurrent.futures.process": "process",
    "signal": "signal",
    "socket": "network", "urllib": "network", "http": "network", "requests": "network",
    "httpx": "network", "aiohttp": "network", "ftplib": "network", "smtplib": "network",
    "telnetlib": "network", "ssl": "network", "socketserver": "network", "xmlrpc": "network",
    "websocket": "network", "websockets": "network", "urllib3": "network", "poplib": "network",
    "imaplib": "network", "zmq": "network",
    "IPython.core.inputtransformer2": "ipython-hook", "IPython.core.magic": "ipython-hook",
}

#: qualified names (module.attr …) whose use is suspicious, with their kind
_QUALIFIED = {
    "sys.settrace": "introspection", "sys.setprofile": "introspection", "sys._getframe": "introspection",
    "sys._current_frames": "introspection", "sys.addaudithook": "introspection",
    "sys.gettrace": "introspection", "threading.settrace": "introspection",
    "threading.setprofile": "introspection", "sys.displayhook": "ipython-hook",
    "sys.excepthook": "ipython-hook", "sys.modules": "patch-module", "sys.meta_path": "patch-module",
    "sys.path_hooks": "patch-module", "sys.breakpointhook": "ipython-hook",
    "os.system": "process", "os.popen": "process", "os.fork": "process", "os.forkpty": "process",
    "os.posix_spawn": "process", "os.posix_spawnp": "process", "os.startfile": "process",
    "os.setsid": "process", "os.setpgid": "process", "os.daemon": "process",
    "os.kill": "signal", "os.killpg": "signal", "os.pidfd_open": "signal", "os.abort": "signal",
    "os.environ": "environment", "os.environb": "environment", "os.getenv": "environment",
    "os.getenvb": "environment", "os.putenv": "environment", "os.unsetenv": "environment",
    "os.walk": "outside-folder", "os.fwalk": "outside-folder", "os.listdir": "outside-folder",
    "os.scandir": "outside-folder", "os.chdir": "outside-folder", "os.chroot": "outside-folder",
    "os.path.expanduser": "outside-folder", "os.getppid": "signal",
    "glob.glob": "outside-folder", "glob.iglob": "outside-folder",
    "pathlib.Path.home": "outside-folder", "Path.home": "outside-folder",
    "shutil.rmtree": "outside-folder", "shutil.copytree": "outside-folder",
    "shutil.disk_usage": "outside-folder", "shutil.chown": "outside-folder",
}
_OS_PREFIX_KIND = (("os.exec", "process"), ("os.spawn", "process"), ("os.wait", "process"))

#: attribute names that are suspicious on anything
_ATTR_KIND = {
    "f_back": "introspection", "f_globals": "introspection", "f_locals": "introspection",
    "f_builtins": "introspection", "f_code": "introspection", "tb_frame": "introspection",
    "gi_frame": "introspection", "cr_frame": "introspection", "ag_frame": "introspection",
    "__globals__": "introspection", "__code__": "introspection", "__closure__": "introspection",
    "__subclasses__": "introspection", "co_code": "introspection", "__self__": "introspection",
    "__builtins__": "patch-builtins",
    "input_transformers_cleanup": "ipython-hook", "input_transformers_post": "ipython-hook",
    "input_transformer_manager": "ipython-hook", "ast_transformers": "ipython-hook",
    "set_custom_exc": "ipython-hook", "register_magic_function": "ipython-hook",
    "register_magics": "ipython-hook", "set_hook": "ipython-hook", "prefilter_manager": "ipython-hook",
    "display_formatter": "ipython-hook", "register_post_execute": "ipython-hook",
    "extension_manager": "ipython-hook", "showtraceback": "ipython-hook",
    "run_cell": "ipython-hook", "run_ast_nodes": "ipython-hook", "user_ns_hidden": "ipython-hook",
    "iterdir": "outside-folder", "rglob": "outside-folder", "expanduser": "outside-folder",
}

#: special methods whose (re)definition can make a value lie to a comparison
DUNDERS = frozenset({
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__hash__", "__bool__",
    "__len__", "__contains__", "__iter__", "__getattribute__", "__getattr__", "__class__",
    "__instancecheck__", "__subclasscheck__", "__index__", "__int__", "__float__",
    "__complex__", "__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__array__",
    "__array_ufunc__", "__array_function__", "__new__", "__getitem__", "__dict__", "__bases__",
    "__mro__",
})

_BUILTIN_TYPES = frozenset({
    "int", "float", "complex", "bool", "str", "bytes", "bytearray", "list", "tuple", "dict",
    "set", "frozenset", "type", "object_", "Counter", "OrderedDict", "defaultdict", "UserString",
    "UserList", "UserDict", "DataFrame", "Series", "Index", "ndarray", "Figure", "Axes",
    "Fraction", "Decimal", "range", "slice", "Match", "Pattern", "Token", "Article",
})

#: magics that run Python code given as their argument or body, in the kernel
_PY_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "pypy"})
_PROCESS_MAGICS = frozenset({"bash", "sh", "script", "system", "sx", "perl", "ruby", "python",
                             "python2", "python3", "pypy", "popen", "killbgscripts"})
_MAGIC_KIND = {
    "env": "environment", "set_env": "environment", "cd": "outside-folder", "pushd": "outside-folder",
    "bookmark": "outside-folder", "ls": "outside-folder", "load": "dynamic-code", "run": "dynamic-code",
    "load_ext": "ipython-hook", "reload_ext": "ipython-hook", "unload_ext": "ipython-hook",
    "autoreload": "ipython-hook", "aimport": "ipython-hook", "config": "ipython-hook",
    "alias": "process", "alias_magic": "ipython-hook", "xmode": None, "sc": "process",
    "rerun": "dynamic-code", "recall": "dynamic-code", "macro": "dynamic-code",
    "store": "outside-folder", "logstart": "outside-folder", "javascript": "script", "js": "script",
}

_DYNAMIC_CALLS = frozenset({"exec", "eval", "compile", "__import__", "breakpoint"})
_FILE_FUNCS = frozenset({"open", "Path", "PurePath", "PosixPath", "listdir", "scandir", "walk",
                         "glob", "iglob", "read_csv", "read_json", "read_excel", "read_table",
                         "read_pickle", "read_parquet", "load", "loadtxt", "fromfile", "connect",
                         "copy", "copyfile", "copy2", "move", "rmtree", "remove", "unlink",
                         "rename", "replace", "stat", "exists", "isfile", "isdir", "chdir",
                         "NamedTemporaryFile", "imread", "read_text", "read_bytes", "system"})
#: names of folders and files that only the instructor's side has
_PRIVATE = re.compile(r"gradebook|assignments[/\\]|[/\\](source|submitted|autograded|exchange|feedback|"
                      r"release)([/\\]|$)|^(source|submitted|autograded|exchange|feedback|release)[/\\]|"
                      r"\.ipynb|nbgrader|/etc/|/root|/home/|/proc/|\.ssh|\.jupyter", re.I)
_MARKERS = re.compile(r"(BEGIN|END)\s+HIDDEN\s+TESTS", re.I)
_ACTIVE_HTML = re.compile(r"<\s*(script|iframe|object|embed)\b|javascript\s*:|\bon(error|load|click|mouse\w*|"
                          r"focus\w*|blur|begin|animation\w*|transition\w*|toggle|pointer\w*|key\w*|submit|"
                          r"input|change|wheel|scroll)\s*=", re.I)
_SAFE_DETAIL = re.compile(r"[^A-Za-z0-9_.%!()\[\]' -]")


def _detail(text: str) -> str:
    """A short, inert rendering of a name or call (never a raw copy of the student's text)."""
    text = _MARKERS.sub("(marker)", text)
    text = _SAFE_DETAIL.sub("", text)
    return text[:60] + ("…" if len(text) > 60 else "")


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes (calls in it shown as ``f()``)."""
    parts: list[str] = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            parts.append(node.id)
            break
        elif isinstance(node, ast.Call):
            inner = _dotted(node.func)
            if inner is None:
                return None
            parts.append(inner + "()")
            break
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return None
    return ".".join(reversed(parts))


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _const_str(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return None


def _suspicious_path(s: str) -> bool:
    s = s.strip()
    if len(s) < 2 or "\n" in s:
        return False
    if s.startswith(("/", "~", "\\\\")) or re.match(r"^[A-Za-z]:[\\/]", s):
        return bool(re.search(r"[A-Za-z*]", s)) or s in ("/.", "/*")
    return bool(re.search(r"(^|[/\\])\.\.([/\\]|$)", s))


def _imports_of(node: ast.Import | ast.ImportFrom) -> dict[str, str]:
    """Names an import statement binds: alias → qualified module (or ``module.object``)."""
    out: dict[str, str] = {}
    if isinstance(node, ast.Import):
        for a in node.names:
            if a.asname:
                out[a.asname] = a.name
            else:
                out[a.name.split(".")[0]] = a.name.split(".")[0]
    else:
        mod = node.module or ""
        for a in node.names:
            if a.name != "*":
                out[a.asname or a.name] = f"{mod}.{a.name}" if mod else a.name
    return out


class _Imports(ast.NodeVisitor):
    """Names bound by imports anywhere in the notebook."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def visit_Import(self, node: ast.Import) -> None:
        self.names.update(_imports_of(node))

    visit_ImportFrom = visit_Import  # type: ignore[assignment]


class _Scanner(ast.NodeVisitor):
    def __init__(self, imported: dict[str, str]):
        self.imported = dict(imported)
        self.found: list[tuple[str, str]] = []  # (kind, detail)

    # -- helpers -------------------------------------------------------------------------
    def add(self, kind: str, detail: str) -> None:
        self.found.append((kind, _detail(detail)))

    def qualify(self, dotted: str) -> str:
        """Replace the first name by what it was imported as (``np.x`` → ``numpy.x``)."""
        head, _, rest = dotted.partition(".")
        q = self.imported.get(head)
        return (q + ("." + rest if rest else "")) if q else dotted

    def check_qualified(self, dotted: str, shown: str) -> None:
        q = self.qualify(dotted)
        for cand in (q, dotted):
            kind = _QUALIFIED.get(cand)
            if kind:
                self.add(kind, shown)
                return
            for prefix, k in _OS_PREFIX_KIND:
                if cand.startswith(prefix):
                    self.add(k, shown)
                    return

    def check_module(self, name: str, shown: str) -> None:
        for cand in (name, name.split(".")[0], ".".join(name.split(".")[:2])):
            kind = _MODULE_KIND.get(cand)
            if kind:
                self.add(kind, shown)
                return

    def store(self, target: ast.AST, how: str) -> None:
        """An assignment or deletion target."""
        if isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.store(t, how)
            return
        if isinstance(target, ast.Starred):
            self.store(target.value, how)
            return
        if isinstance(target, ast.Name):
            if target.id in ("__builtins__", "__builtin__"):
                self.add("patch-builtins", f"{how} {target.id}")
            return
        dotted = _dotted(target) or "…"
        root = _root_name(target)
        if isinstance(target, ast.Attribute) and target.attr in DUNDERS:
            self.add("dunder-method", f"{how} {dotted}")
        if root in ("__builtins__", "builtins", "__builtin__") or (
                root and self.imported.get(root, "").split(".")[0] == "builtins"):
            self.add("patch-builtins", f"{how} {dotted}")
        elif root and root in self.imported and isinstance(target, (ast.Attribute, ast.Subscript)):
            self.add("patch-module", f"{how} {dotted}")
        elif root == "get_ipython" or dotted.startswith("get_ipython()"):
            self.add("ipython-hook", f"{how} {dotted}")

    # -- statements ----------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.check_module(a.name, f"import {a.name}")
        self.imported.update(_imports_of(node))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        mod = node.module or ""
        self.check_module(mod, f"from {mod} import")
        for a in node.names:
            self.check_qualified(f"{mod}.{a.name}", f"from {mod} import {a.name}")
            if a.name == "*" and mod in ("builtins", "os", "sys", "gc", "inspect", "ctypes"):
                self.add(_MODULE_KIND.get(mod, "patch-module"), f"from {mod} import *")
        self.imported.update(_imports_of(node))

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self.store(t, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.store(node.target, "changes")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.store(node.target, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self.store(t, "deletes")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for b in node.bases:
            d = _dotted(b) or ""
            if d.split(".")[-1] in _BUILTIN_TYPES:
                self.add("subclass-builtin", f"class {node.name}({d})")
        for kw in node.keywords:
            if kw.arg == "metaclass":
                self.add("subclass-builtin", f"class {node.name}(metaclass=…)")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in DUNDERS:
                self.add("dunder-method", f"{node.name}.{item.name}")
            elif isinstance(item, ast.Assign):
                for t in item.targets:
                    if isinstance(t, ast.Name) and t.id in DUNDERS:
                        self.add("dunder-method", f"{node.name}.{t.id}")
        self.generic_visit(node)

    # -- expressions ---------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ("__builtins__", "__builtin__"):
            self.add("patch-builtins", node.id)
        elif node.id in ("__loader__", "__spec__"):
            self.add("introspection", node.id)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = _dotted(node)
        if dotted:
            self.check_qualified(dotted, dotted)
        kind = _ATTR_KIND.get(node.attr)
        if kind:
            self.add(kind, dotted or node.attr)
        if node.attr == "events" and dotted and "get_ipython" in dotted:
            self.add("ipython-hook", dotted)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            if _MARKERS.search(node.value):
                self.add("marker", "hidden-test marker text")
            if _ACTIVE_HTML.search(node.value):
                self.add("script", "script or event handler in a string")
            if _PRIVATE.search(node.value) or _suspicious_path(node.value):
                self.add("outside-folder", "a path to " + _path_hint(node.value))

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        dotted = _dotted(func) or ""
        last = dotted.split(".")[-1]
        if last in ("Javascript", "JSON_js") or self.qualify(dotted).startswith("IPython.display.Javascript"):
            self.add("script", dotted)
        if isinstance(func, ast.Name) and func.id in _DYNAMIC_CALLS:
            self.add("dynamic-code", f"{func.id}()")
        if isinstance(func, ast.Name) and func.id in ("setattr", "delattr") and node.args:
            root = _root_name(node.args[0])
            target = _dotted(node.args[0]) or "…"
            if root in ("__builtins__", "builtins") or (root and self.imported.get(root, "").startswith("builtins")):
                self.add("patch-builtins", f"{func.id}({target}, …)")
            elif root and root in self.imported:
                self.add("patch-module", f"{func.id}({target}, …)")
            if len(node.args) > 1:
                name = _const_str(node.args[1])
                if name in DUNDERS:
                    self.add("dunder-method", f"{func.id}(…, {name})")
                elif name is None:
                    self.add("dynamic-code", f"{func.id}(…, computed name)")
        if isinstance(func, ast.Name) and func.id in ("getattr", "hasattr") and len(node.args) > 1:
            name = _const_str(node.args[1])
            base = _dotted(node.args[0])
            if name and base:
                self.check_qualified(f"{base}.{name}", f"{base}.{name}")
                kind = _ATTR_KIND.get(name)
                if kind:
                    self.add(kind, f"{base}.{name}")
            elif name is None and base and self.qualify(base).split(".")[0] in ("os", "sys", "builtins", "subprocess"):
                self.add("dynamic-code", f"getattr({base}, computed name)")
        if isinstance(func, ast.Name) and func.id == "vars" and node.args:
            root = _root_name(node.args[0])
            if root and root in self.imported:
                self.add("patch-module", f"vars({root})")
        if isinstance(func, ast.Name) and func.id == "type" and len(node.args) == 3:
            self.add("subclass-builtin", "type(name, bases, dict)")
        if dotted.endswith(".__setattr__") or dotted.endswith(".__delattr__"):
            self.add("patch-module", dotted)
        if "get_ipython" in dotted or dotted.startswith("_ip.") or dotted.startswith("ip."):
            self.ipython_call(node, dotted)
        if last in ("register", "unregister") and "events" in dotted:
            self.add("ipython-hook", dotted)
        if last in _FILE_FUNCS:
            for a in node.args[:1]:
                s = _const_str(a)
                if s is not None and s.strip() in ("/", "\\", "~", ".."):
                    self.add("outside-folder", f"{last}({s.strip()!r})")
        self.generic_visit(node)

    def ipython_call(self, node: ast.Call, dotted: str) -> None:
        last = dotted.split(".")[-1]
        args = [_const_str(a) for a in node.args]
        if last in ("system", "getoutput", "system_piped", "system_raw"):
            self.add("process", "!shell command")
        elif last in ("run_line_magic", "run_cell_magic", "magic") and args and args[0]:
            name = args[0].split()[0].lstrip("%") if args[0].split() else ""
            if name in _PROCESS_MAGICS:
                self.add("process", f"%{name}")
            kind = _MAGIC_KIND.get(name)
            if kind:
                self.add(kind, f"%{name}")
            if name in _PY_MAGICS:
                body = args[2] if last == "run_cell_magic" and len(args) > 2 else (args[1] if len(args) > 1 else None)
                if body:
                    self.found.extend(_scan_code(body, self.imported))
        elif last in ("run_cell", "run_code", "ex", "ev", "safe_execfile", "safe_run_module",
                      "push", "del_var", "drop_by_id", "reset"):
            self.add("dynamic-code", f"get_ipython().{last}")


def _path_hint(s: str) -> str:
    if _PRIVATE.search(s):
        return "the course's private files"
    if "~" in s[:1]:
        return "a home folder"
    if ".." in s:
        return "a parent folder (..)"
    return "an absolute location"


_IPYTHON_SYNTAX = re.compile(r"^\s*[%!?]|^[^#\n]*=\s*[%!]|\?\s*$", re.M)


def _ipython_source(src: str) -> str:
    """The cell as IPython would run it (magics and ``!shell`` become ``get_ipython()`` calls)."""
    if not _IPYTHON_SYNTAX.search(src):
        return src  # plain Python (IPython's transformer is slow on very long cells)
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(src)
    except Exception:  # noqa: BLE001 - IPython missing or confused: scan the text as is
        return src


def _scan_code(src: str, imported: dict[str, str]) -> list[tuple[str, str]]:
    code = _ipython_source(src)
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # the cell cannot run either; only the marker text matters
        return [("marker", "hidden-test marker text")] if _MARKERS.search(src) else []
    sc = _Scanner(imported)
    try:
        sc.visit(tree)
    except RecursionError:
        sc.add("dynamic-code", "code nested too deeply to read")
    if _MARKERS.search(src) and not any(k == "marker" for k, _ in sc.found):
        sc.add("marker", "hidden-test marker text")  # e.g. in a comment
    return sc.found


def scan_source(src: str, imported: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """``[(code, detail)]`` for one piece of code (IPython syntax allowed).

    >>> scan_source("import gc\\nالعدد = len(gc.get_objects())")
    [('introspection', 'import gc')]
    """
    return _scan_code(src, imported or {})


def _nbmeta(cell) -> dict:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else str(s)


def _student_written(cell) -> bool:
    """Answer cells and the student's own cells; not the course's locked or test cells."""
    m = _nbmeta(cell)
    if not m:
        return True
    if m.get("solution"):
        return True
    return False


def _labels(cell, index: int) -> tuple[str, str, str]:
    gid = _nbmeta(cell).get("grade_id")
    if gid and _nbmeta(cell).get("solution"):
        gid = _detail(str(gid))
        return gid, f"Answer cell «{gid}»", f"خلية الإجابة «{gid}»"
    n = index + 1
    return f"cell-{n}", f"Your own cell number {n}", f"خليتك رقم {n}"


def scan_notebook(nb) -> list[Flag]:
    """Tamper flags for one notebook (an ``nbformat`` node or a dict with ``cells``).

    Imports anywhere in the notebook (the setup cell's ``import pandas as pd`` included) tell
    the scanner which names are modules. One flag per kind and cell, in cell order.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import builtins\\nbuiltins.len = lambda x: 0  # «طول»")])
    >>> [f.code for f in scan_notebook(nb)]
    ['patch-builtins']
    """
    cells = list(nb.get("cells", []) if isinstance(nb, dict) else nb.cells)
    imports = _Imports()
    for c in cells:
        if c.get("cell_type") == "code":
            try:
                imports.visit(ast.parse(_ipython_source(_src(c))))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
    flags: list[Flag] = []
    for i, c in enumerate(cells):
        if not _student_written(c):
            continue
        src = _src(c)
        if c.get("cell_type") == "code":
            found = _scan_code(src, imports.names)
        else:
            found = [("marker", "hidden-test marker text")] if _MARKERS.search(src) else []
        if not found:
            continue
        cell_id, en_label, ar_label = _labels(c, i)
        by_kind: dict[str, list[str]] = {}
        for kind, detail in found:
            details = by_kind.setdefault(kind, [])
            if detail and detail not in details:
                details.append(detail)
        for kind in sorted(by_kind, key=list(KINDS).index):
            en, ar = KINDS[kind]
            shown = ", ".join(f"`{d}`" for d in by_kind[kind][:3])
            message = (f"{en_label}: {en} ({shown}). An instructor should look at it; grading "
                       f"itself happens outside your notebook. · {ar_label}: {ar}. "
                       f"سيراجعها المدرّس؛ أما التصحيح نفسه فيجري خارج دفترك.")
            flags.append(Flag(kind, message, cell_id))
    return flags
