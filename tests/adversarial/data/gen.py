#!/usr/bin/env python3
"""Generate the adversarial corpus of tests/adversarial (security.md §2.1, T3).

Every document is the same small, policy-compliant config.json (BASE below:
uid 1000, no_new_privileges, namespaces, a seccomp filter, no host mounts)
with one hostile edit, written as raw JSON text so that duplicates, fold
variants, escapes and broken syntax survive.  The edit is built so that
runc's Go decoder would see something the policy forbids (uid 0, no NNP,
a /run/systemd mount, a host hook, seccomp off, ...) if secshim read the
document differently.

  gen.py DIR            small documents into DIR/docs, DIR/cases.tsv, DIR/base.json
  gen.py --big DIR      the large ones (10^5/10^6 nesting, tens of MB) into DIR

cases.tsv: name <TAB> file <TAB> kind (config|process) <TAB> pattern
pattern is an extended regex (grep -Ei) the refusal message must match.
"""
import os
import sys


class Raw(str):
    """JSON text inserted verbatim."""


def obj(*pairs):
    """An object as an ordered list of (raw key text, value)."""
    return list(pairs)


def js(v):
    """Serialise: tuples-list = object, list of non-pairs = array, Raw = text."""
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, Obj):
        return "{" + ",".join(k + ":" + js(x) for k, x in v.pairs) + "}"
    if isinstance(v, list):
        return "[" + ",".join(js(x) for x in v) + "]"
    raise TypeError(v)


class Obj:
    def __init__(self, **kw):
        self.pairs = [('"%s"' % k, to_tree(x)) for k, x in kw.items()]

    def get(self, key):
        for k, x in self.pairs:
            if k == '"%s"' % key:
                return x
        raise KeyError(key)


def to_tree(x):
    if isinstance(x, dict):
        o = Obj()
        o.pairs = [('"%s"' % k, to_tree(v)) for k, v in x.items()]
        return o
    if isinstance(x, list):
        return [to_tree(v) for v in x]
    return x


def base():
    caps = ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    return to_tree({
        "ociVersion": "1.0.2-dev",
        "process": {
            "user": {"uid": 1000, "gid": 1000, "additionalGids": [1000]},
            "args": ["/bin/true"],
            "env": ["PATH=/usr/bin:/bin"],
            "cwd": "/",
            "capabilities": {"bounding": caps, "effective": caps, "permitted": caps,
                             "inheritable": [], "ambient": []},
            "noNewPrivileges": True,
            "apparmorProfile": "docker-default",
        },
        "root": {"path": "rootfs", "readonly": True},
        "hostname": "adv",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc",
             "options": ["nosuid", "noexec", "nodev"]},
            {"destination": "/data", "type": "bind", "source": "/srv/adv-data",
             "options": ["rbind", "ro"]},
        ],
        "annotations": {"org.example/owner": "adv"},
        "linux": {
            "namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"},
                           {"type": "mount"}, {"type": "network"}],
            "maskedPaths": ["/proc/kcore", "/proc/keys"],
            "readonlyPaths": ["/proc/sys", "/proc/sysrq-trigger"],
            "sysctl": {"net.ipv4.ip_unprivileged_port_start": "0"},
            "resources": {"devices": [{"allow": False, "access": "rwm"}]},
            "seccomp": {"defaultAction": "SCMP_ACT_ERRNO",
                        "architectures": ["SCMP_ARCH_X86_64"],
                        "syscalls": [{"names": ["read", "write", "exit_group"],
                                      "action": "SCMP_ACT_ALLOW"}]},
        },
    })


def walk(doc, path):
    """The Obj holding the last key of a dotted path (ints index arrays)."""
    node = doc
    for step in path[:-1]:
        node = node[int(step)] if isinstance(node, list) else node.get(step)
    return node


def set_member(doc, path, value):
    walk(doc, path).pairs = [(k, (value if k == '"%s"' % path[-1] else x))
                             for k, x in walk(doc, path).pairs]


def add_member(doc, path, rawkey, value, after=True):
    o = walk(doc, path)
    i = [k for k, _ in o.pairs].index('"%s"' % path[-1])
    o.pairs.insert(i + 1 if after else i, (rawkey, value))


def rename_member(doc, path, rawkey):
    o = walk(doc, path)
    o.pairs = [((rawkey if k == '"%s"' % path[-1] else k), x) for k, x in o.pairs]


# Security-relevant keys: dotted path, hostile value (what runc must not get).
HOSTILE = [
    ("process", Raw('{"user":{"uid":0,"gid":0},"args":["/bin/sh"],"cwd":"/"}')),
    ("process.user", Raw('{"uid":0,"gid":0}')),
    ("process.user.uid", Raw("0")),
    ("process.user.gid", Raw("0")),
    ("process.user.additionalGids", Raw("[0]")),
    ("process.noNewPrivileges", Raw("false")),
    ("process.capabilities", Raw('{"bounding":["CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"],'
                                 '"permitted":["CAP_SYS_ADMIN"]}')),
    ("process.capabilities.bounding", Raw('["CAP_SYS_ADMIN"]')),
    ("process.capabilities.effective", Raw('["CAP_SYS_ADMIN"]')),
    ("process.capabilities.permitted", Raw('["CAP_SYS_ADMIN"]')),
    ("process.capabilities.ambient", Raw('["CAP_SYS_ADMIN"]')),
    ("process.apparmorProfile", Raw('"unconfined"')),
    ("process.env", Raw('["LD_PRELOAD=/tmp/evil.so"]')),
    ("process.cwd", Raw('"/proc/self/cwd"')),
    ("root", Raw('{"path":"/"}')),
    ("root.path", Raw('"/"')),
    ("mounts", Raw('[{"destination":"/run/systemd","type":"bind","source":"/run/systemd",'
                   '"options":["rbind"]}]')),
    ("mounts.1.source", Raw('"/run/systemd"')),
    ("mounts.1.destination", Raw('"/run/systemd"')),
    ("mounts.1.options", Raw('["rbind","rw"]')),
    ("annotations", Raw('{"org.example/owner":"root"}')),
    ("linux", Raw('{"namespaces":[]}')),
    ("linux.namespaces", Raw("[]")),
    ("linux.namespaces.0.type", Raw('"cgroup"')),
    ("linux.seccomp", Raw("null")),
    ("linux.seccomp.defaultAction", Raw('"SCMP_ACT_ALLOW"')),
    ("linux.seccomp.syscalls.0.action", Raw('"SCMP_ACT_ALLOW"')),
    ("linux.maskedPaths", Raw("[]")),
    ("linux.readonlyPaths", Raw("[]")),
    ("linux.sysctl", Raw('{"kernel.core_pattern":"|/tmp/x"}')),
    ("linux.resources", Raw('{"devices":[{"allow":true,"access":"rwm"}]}')),
    ("linux.resources.devices", Raw('[{"allow":true,"access":"rwm"}]')),
]


def fold_variant(key):
    """A key Go matches to `key` (encoding/json fold.go) but bytes differ."""
    if "s" in key:
        return key.replace("s", "\\u017f", 1), "longs"     # ſ
    if "k" in key:
        return key.replace("k", "\\u212a", 1), "kelvin"    # K
    return key[0].upper() + key[1:], "case"


def ucase_variant(key):
    return key.upper(), "upper"


def slug(path):
    return path.replace(".", "_")


def cases():
    """Yield (name, kind, text, pattern)."""
    b = base()

    def doc(edit):
        d = base()
        edit(d)
        return js(d)

    # ---- security.md §2.1 table (the 16 measured cases), by number ----
    yield ("t01_dup_folded_uid", "config",
           doc(lambda d: add_member(d, "process.user.uid".split("."), '"UID"', 0)), "uid")
    yield ("t02_dup_process_top_level", "config",
           doc(lambda d: d.pairs.append(('"process"', Raw('{"user":{"uid":0},"args":["/bin/sh"],"cwd":"/"}')))),
           "duplicate|process")
    yield ("t03_nul_escape_in_key", "config",
           doc(lambda d: rename_member(d, "process.user.uid".split("."), '"uid\\u0000"')), "nul|\\\\u0000|uid")
    yield ("t04_kelvin_hooks", "config",
           doc(lambda d: d.pairs.append(('"hoo\\u212as"', Raw('{"createRuntime":[{"path":"/tmp/x"}]}')))),
           "hoo|hooks|fold")
    yield ("t05_longs_seccomp_null", "config",
           doc(lambda d: add_member(d, "linux.seccomp".split("."), '"\\u017feccomp"', None)), "seccomp|fold")
    yield ("t06_uid_null", "config", doc(lambda d: set_member(d, "process.user.uid".split("."), None)), "uid|null")
    yield ("t07_comment", "config", "/* c */" + js(b), "comment|line 1|invalid|json")
    yield ("t08_second_document", "config",
           js(b) + doc(lambda d: set_member(d, "process.user.uid".split("."), 0)), "trailing")
    yield ("t09_uid_2p32", "config", doc(lambda d: set_member(d, "process.user.uid".split("."), 4294967296)),
           "uid.*range|range.*uid")
    yield ("t10_uid_negative", "config", doc(lambda d: set_member(d, "process.user.uid".split("."), -1)), "uid")
    yield ("t11_uid_exponent", "config", doc(lambda d: set_member(d, "process.user.uid".split("."), Raw("1e3"))),
           "uid")
    yield ("t12_bom", "config", "\ufeff" + js(b), "bom|byte order|bytes")
    yield ("t13_invalid_utf8", "config",
           doc(lambda d: set_member(d, "process.env".split("."), Raw('["PATH=/bin\udcff"]'))), "utf-8|utf8")
    yield ("t14_lone_surrogate", "config",
           doc(lambda d: set_member(d, "process.env".split("."), Raw('["PATH=\\ud800"]'))), "surrogate")
    # t15 (10^5) and t16 (10^6 nesting) are big: see big().

    # ---- uid spelled every way Go folds onto "uid" ----
    for raw, tag in [('"Uid"', "Uid"), ('"uID"', "uID"), ('"\\u0055ID"', "u0055ID"),
                     ('"\\u0075\\u0069\\u0064"', "escaped_uid_exact")]:
        yield ("uid_variant_" + tag, "config",
               doc(lambda d, raw=raw: add_member(d, "process.user.uid".split("."), raw, 0)),
               "uid|duplicate|fold")
        yield ("uid_variant_" + tag + "_alone", "config",
               doc(lambda d, raw=raw: rename_member(d, "process.user.uid".split("."), raw)),
               "uid|fold")

    # ---- every security key: exact duplicate, fold duplicate, upper duplicate, rename ----
    for path, bad in HOSTILE:
        p = path.split(".")
        key = p[-1]
        depth = len([s for s in p])
        yield ("dup_d%d_%s" % (depth, slug(path)), "config",
               doc(lambda d, p=p, bad=bad: add_member(d, p, '"%s"' % p[-1], bad)), "duplicate")
        if not key.isdigit():
            fk, tag = fold_variant(key)
            yield ("fold_%s_%s" % (tag, slug(path)), "config",
                   doc(lambda d, p=p, bad=bad, fk=fk: add_member(d, p, '"%s"' % fk, bad)),
                   "fold|duplicate|%s" % key)
            uk, tag = ucase_variant(key)
            yield ("fold_%s_%s_before" % (tag, slug(path)), "config",
                   doc(lambda d, p=p, bad=bad, uk=uk: add_member(d, p, '"%s"' % uk, bad, after=False)),
                   "fold|duplicate|%s" % key)
            yield ("rename_%s_%s" % (tag, slug(path)), "config",
                   doc(lambda d, p=p, uk=uk: rename_member(d, p, '"%s"' % uk)), "fold|%s" % key)
        yield ("null_%s" % slug(path), "config",
               doc(lambda d, p=p: set_member(d, p, None)), "null|%s" % key)

    # ---- NUL, numbers, syntax ----
    yield ("nul_raw_in_value", "config",
           doc(lambda d: set_member(d, "process.env".split("."), Raw('["PATH=/bin\x00X"]'))), "nul")
    yield ("nul_raw_after_document", "config", js(b) + "\x00" + doc(
        lambda d: set_member(d, "process.user.uid".split("."), 0)), "nul|trailing")
    yield ("nul_escape_in_value", "config",
           doc(lambda d: set_member(d, "process.apparmorProfile".split("."), Raw('"docker-default\\u0000x"'))),
           "nul|\\\\u0000|apparmorProfile")
    yield ("nul_escape_in_map_key", "config",
           doc(lambda d: set_member(d, "linux.sysctl".split("."), Raw('{"kernel.core_pattern\\u0000":"x"}'))),
           "nul|\\\\u0000|sysctl")
    for lex, tag in [("-0", "minus_zero"), ("1.0", "one_point_zero"), ("1e0", "exponent"), ("0001000", "leading_zero"),
                     ("4294967295", "u32_max"), ("18446744073709551616", "u64_overflow"),
                     ("99999999999999999999999999999999", "huge"), ("-4294967296", "neg_huge"), ("1000.0", "fraction"),
                     ('"1000"', "string")]:
        yield ("number_uid_%s" % tag, "config",
               doc(lambda d, lex=lex: set_member(d, "process.user.uid".split("."), Raw(lex))), "uid|parse error")
    yield ("number_gid_minus_zero", "config",
           doc(lambda d: set_member(d, "process.user.gid".split("."), Raw("-0"))), "gid")
    yield ("number_device_major_huge", "config",
           doc(lambda d: set_member(d, "linux.resources.devices".split("."),
                                    Raw('[{"allow":false,"access":"rwm","major":9223372036854775808}]'))),
           "major")
    yield ("number_errnoret_negative", "config",
           doc(lambda d: add_member(d, "linux.seccomp.defaultAction".split("."), '"defaultErrnoRet"', Raw("-1"))),
           "defaultErrnoRet")
    yield ("nnp_string_true", "config",
           doc(lambda d: set_member(d, "process.noNewPrivileges".split("."), Raw('"true"'))), "noNewPrivileges")
    yield ("nnp_number_1", "config",
           doc(lambda d: set_member(d, "process.noNewPrivileges".split("."), Raw("1"))), "noNewPrivileges")
    yield ("trailing_garbage", "config", js(b) + " x", "trailing")
    yield ("trailing_second_object_ws", "config", js(b) + "\n\n" + js(b), "trailing")
    yield ("trailing_comma", "config", js(b)[:-1] + ",}", "json|line|invalid|parse")
    yield ("comment_line", "config", "// c\n" + js(b), "comment|json|invalid|parse")
    yield ("bom_escaped_in_key", "config",
           doc(lambda d: rename_member(d, "process.user.uid".split("."), '"\\ufeffuid"')), "uid|fold|bom")
    yield ("surrogate_mismatched", "config",
           doc(lambda d: set_member(d, "process.env".split("."), Raw('["PATH=\\ud800\\u0041"]'))), "surrogate")
    yield ("surrogate_lone_low", "config",
           doc(lambda d: set_member(d, "process.env".split("."), Raw('["PATH=\\udc00"]'))), "surrogate")
    yield ("surrogate_in_key", "config",
           doc(lambda d: add_member(d, "process.user.uid".split("."), '"u\\ud800id"', 0)), "surrogate")
    yield ("overlong_utf8_slash", "config",
           doc(lambda d: set_member(d, "mounts.1.source".split("."), Raw('"/run\udcc0\udcafsystemd"'))), "utf-8|utf8")
    yield ("root_array", "config", "[" + js(b) + "]", "object|array")
    yield ("root_null", "config", "null", "object|null")
    yield ("empty_file", "config", "", "empty|eof|json|premature")
    yield ("nesting_64_in_annotation_value", "config",
           doc(lambda d: d.pairs.append(('"x-unknown"', Raw("[" * 70 + "]" * 70)))), "depth|nest")

    # ---- exec --process documents ----
    proc = base().get("process")
    yield ("process_dup_uid", "process", js(proc)[:-1] + ',"user":{"uid":0}}', "duplicate|user")
    pr = base().get("process")
    pr.pairs.append(('"noNewPrivilege\\u017f"', Raw("false")))
    yield ("process_fold_nnp", "process", js(pr), "fold|noNewPrivileges")
    yield ("process_trailing", "process", js(proc) + '{"user":{"uid":0}}', "trailing")


def big(outdir):
    """Large inputs (not committed): nesting 10^5 and 10^6, tens of megabytes."""
    b = js(base())
    files = {
        "t15_nesting_1e5": b[:-1] + ',"x":' + "[" * 100000 + "]" * 100000 + "}",
        "t16_nesting_1e6": b[:-1] + ',"x":' + "[" * 1000000 + "]" * 1000000 + "}",
        "nesting_1e6_objects": b[:-1] + ',"x":' + '{"a":' * 1000000 + "1" + "}" * 1000000 + "}",
        "huge_20mb_string": b[:-1] + ',"x":"' + "A" * (20 * 1024 * 1024) + '"}',
        "huge_30mb_env": b.replace('"env":["PATH=/usr/bin:/bin"]',
                                   '"env":[' + ",".join(['"V=%s"' % ("x" * 100)] * 300000) + "]"),
        "huge_items_100k_mounts_then_uid0": b.replace(
            '"mounts":[', '"mounts":[' + '{"destination":"/tmp/m","type":"tmpfs","source":"tmpfs"},' * 100000)
        .replace('"uid":1000', '"uid":1000,"uid":0'),
    }
    os.makedirs(outdir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(outdir, name + ".json"), "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))


def extras(outdir):
    """Whole documents for the argv and filesystem suite (argv-bundle.sh):
    evil.json breaks every promise of the policy (uid 0, no NNP, /run/systemd
    mounted); process.json / evil-process.json are exec --process files."""
    d = base()
    set_member(d, ["process", "user", "uid"], 0)
    set_member(d, ["process", "noNewPrivileges"], False)
    set_member(d, ["mounts", "1", "source"], "/run/systemd")
    set_member(d, ["mounts", "1", "destination"], "/run/systemd")
    files = {"evil.json": js(d), "process.json": js(base().get("process"))}
    p = base().get("process")
    set_member(p, ["user"], Raw('{"uid":0,"gid":0}'))
    set_member(p, ["noNewPrivileges"], False)
    set_member(p, ["capabilities"], Raw('{"bounding":["CAP_SYS_ADMIN"],"effective":["CAP_SYS_ADMIN"],'
                                        '"permitted":["CAP_SYS_ADMIN"]}'))
    files["evil-process.json"] = js(p)
    for name, text in files.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        big(sys.argv[2])
        return
    outdir = sys.argv[1]
    os.makedirs(os.path.join(outdir, "docs"), exist_ok=True)
    names = set()
    with open(os.path.join(outdir, "base.json"), "w") as f:
        f.write(js(base()))
    extras(outdir)
    with open(os.path.join(outdir, "cases.tsv"), "w") as tsv:
        tsv.write("# name\tfile\tkind\trefusal-pattern   (generated by gen.py; do not edit)\n")
        for name, kind, text, pattern in cases():
            assert name not in names, name
            names.add(name)
            fn = "docs/%s.json" % name
            with open(os.path.join(outdir, fn), "wb") as f:
                f.write(text.encode("utf-8", "surrogateescape"))
            tsv.write("%s\t%s\t%s\t%s\n" % (name, fn, kind, pattern))


if __name__ == "__main__":
    main()
