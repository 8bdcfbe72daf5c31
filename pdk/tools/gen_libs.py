#!/usr/bin/env python3
"""Writes pdk/libs/*.lib: insitu's generic process libraries (our own numbers, not a foundry's).

Corners shift VTH0 by 50 mV, U0 by 10 % and TOX by 4 % (ff: faster NMOS and PMOS; ss: slower;
fs: fast NMOS, slow PMOS; sf: the reverse). Run from the repository root: python3 pdk/tools/gen_libs.py
"""

NEUTRAL = dict(
    mobmod=1, capmod=3, binunit=1, paramchk=0, k2=0, k3=0, k3b=0, w0=1e-7, nlx=0, dvt2=0, dvt0w=0, dvt1w=0,
    dvt2w=0, etab=0, cdsc=0, cdscb=0, cdscd=0, cit=0, uc=0, ags=0, b0=0, b1=0, keta=0, a1=0, a2=1, rdsw=0,
    prwg=0, prwb=0, wr=1, dwg=0, dwb=0, pdiblcb=0, pscbe1=4.24e8, pscbe2=1e-20, pvag=0, lint=0, wint=0, xl=0,
    xw=0, ll=0, wl=0, lw=0, ww=0, lwl=0, wwl=0, kt1l=0, kt2=0, ua1=0, ub1=0, uc1=0, at=0, prt=0, cgbo=0, cf=0,
    js=0, pbsw=0.8,
)

BSIM = {
    "generic180": dict(
        title="generic180: 180 nm-class, 1.8 V, BSIM-lite (BSIM3v3.3 core)",
        nch=dict(tnom=27, tox=4.1e-9, xj=1.0e-7, nch=2.4e17, vth0=0.42, k1=0.56, dvt0=1.2, dvt1=0.42, eta0=0.012,
                 dsub=0.55, voff=-0.085, nfactor=1.25, u0=320, ua=-1.0e-9, ub=2.2e-18, vsat=1.0e5, a0=1.1,
                 pclm=1.2, pdiblc1=0.22, pdiblc2=0.006, drout=0.55, delta=0.01, kt1=-0.11, ute=-1.5,
                 cgso=3.2e-10, cgdo=3.2e-10, cj=1.0e-3, mj=0.5, cjsw=2.2e-10, mjsw=0.33, pb=0.8),
        pch=dict(tnom=27, tox=4.1e-9, xj=1.0e-7, nch=9.0e16, vth0=-0.44, k1=0.53, dvt0=1.0, dvt1=0.45, eta0=0.011,
                 dsub=0.5, voff=-0.09, nfactor=1.3, u0=100, ua=1.2e-9, ub=1.0e-21, vsat=8.5e4, a0=1.0,
                 pclm=1.0, pdiblc1=0.02, pdiblc2=0.003, drout=0.5, delta=0.01, kt1=-0.1, ute=-1.4,
                 cgso=3.0e-10, cgdo=3.0e-10, cj=1.1e-3, mj=0.45, cjsw=2.4e-10, mjsw=0.3, pb=0.8),
    ),
    "generic65": dict(
        title="generic65: 65 nm-class, 1.2 V, BSIM-lite (BSIM3v3.3 core)",
        nch=dict(tnom=27, tox=2.0e-9, xj=4.0e-8, nch=5.0e17, vth0=0.36, k1=0.45, dvt0=1.6, dvt1=0.55, eta0=0.03,
                 dsub=0.6, voff=-0.1, nfactor=1.4, u0=280, ua=-0.5e-9, ub=1.2e-18, vsat=1.1e5, a0=1.0,
                 pclm=0.9, pdiblc1=0.3, pdiblc2=0.01, drout=0.6, delta=0.01, kt1=-0.12, ute=-1.5,
                 cgso=2.2e-10, cgdo=2.2e-10, cj=1.3e-3, mj=0.45, cjsw=1.6e-10, mjsw=0.3, pb=0.75),
        pch=dict(tnom=27, tox=2.0e-9, xj=4.0e-8, nch=3.0e17, vth0=-0.37, k1=0.42, dvt0=1.4, dvt1=0.55, eta0=0.025,
                 dsub=0.6, voff=-0.11, nfactor=1.45, u0=90, ua=0.8e-9, ub=1.0e-21, vsat=9.0e4, a0=1.0,
                 pclm=0.8, pdiblc1=0.05, pdiblc2=0.005, drout=0.6, delta=0.01, kt1=-0.1, ute=-1.3,
                 cgso=2.0e-10, cgdo=2.0e-10, cj=1.4e-3, mj=0.42, cjsw=1.7e-10, mjsw=0.28, pb=0.75),
    ),
}

LEVEL1 = dict(
    title="generic-l1: level-1 (Shichman-Hodges) teaching library, 1.8 V, for exact cross-checks",
    nch=dict(vto=0.45, kp=280e-6, gamma=0.4, phi=0.8, lambda_=0.1, tox=4e-9, cgso=3e-10, cgdo=3e-10, cj=1e-3,
             mj=0.5, cjsw=2e-10, mjsw=0.33, pb=0.8),
    pch=dict(vto=-0.45, kp=70e-6, gamma=0.4, phi=0.8, lambda_=0.15, tox=4e-9, cgso=3e-10, cgdo=3e-10, cj=1e-3,
             mj=0.5, cjsw=2e-10, mjsw=0.33, pb=0.8),
)

# corner -> (nmos speed, pmos speed): +1 fast, -1 slow, 0 typical
CORNERS = [("tt", 0, 0), ("ff", 1, 1), ("ss", -1, -1), ("fs", 1, -1), ("sf", -1, 1)]


def fmt(v):
    return f"{v:.6g}"


def card(name, kind, params, width=6):
    items = [f"{k.rstrip('_')}={fmt(v)}" for k, v in params.items()]
    lines = [f".model {name} {kind} " + " ".join(items[:width])]
    for i in range(width, len(items), width):
        lines.append("+ " + " ".join(items[i:i + width]))
    return "\n".join(lines)


def shifted(p, speed, threshold_key, mobility_key, sign):
    q = dict(p)
    if speed:
        # Fast: |Vth| lower by 50 mV, mobility up 10 %, oxide thinner by 4 %.
        q[threshold_key] = p[threshold_key] - sign * 0.05 * speed
        q[mobility_key] = p[mobility_key] * (1 + 0.10 * speed)
        if "tox" in q:
            q["tox"] = p["tox"] * (1 - 0.04 * speed)
    return q


def bsim_lib(name, spec):
    out = [f"* {spec['title']}", "* insitu's own numbers for design exploration: not a foundry's, not calibrated.",
           "* Corners shift VTH0 (50 mV), U0 (10 %) and TOX (4 %). Usage: .lib 'insitu:" + name + "' tt", ""]
    for corner, ns, ps in CORNERS:
        out.append(f".lib {corner}")
        n = shifted(spec["nch"], ns, "vth0", "u0", +1)
        p = shifted(spec["pch"], ps, "vth0", "u0", -1)
        out.append(card("nch", "nmos level=8 version=3.3.0", {**n, **NEUTRAL}))
        out.append(card("pch", "pmos level=8 version=3.3.0", {**p, **NEUTRAL}))
        out.append(f".endl {corner}")
        out.append("")
    return "\n".join(out)


def l1_lib(spec):
    out = [f"* {spec['title']}", "* Corners shift VTO (50 mV) and KP (10 %). Usage: .lib 'insitu:generic-l1' tt", ""]
    for corner, ns, ps in CORNERS:
        out.append(f".lib {corner}")
        n = shifted(spec["nch"], ns, "vto", "kp", +1)
        p = shifted(spec["pch"], ps, "vto", "kp", -1)
        out.append(card("nch", "nmos level=1", n))
        out.append(card("pch", "pmos level=1", p))
        out.append(f".endl {corner}")
        out.append("")
    return "\n".join(out)


if __name__ == "__main__":
    for name, spec in BSIM.items():
        open(f"pdk/libs/{name}.lib", "w").write(bsim_lib(name, spec))
    open("pdk/libs/generic-l1.lib", "w").write(l1_lib(LEVEL1))
