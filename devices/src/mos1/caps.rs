//! Charges and capacitances: Meyer gate capacitances (`DEVqmeyer`), overlaps and the bulk
//! junction depletion charges (`mos1load.c`, charge part).

use super::Mos1;

/// Meyer's empirical threshold for Vdsat in the capacitance model (`MAGIC_VDS`).
const MAGIC_VDS: f64 = 0.025;

impl Mos1 {
    /// Meyer gate capacitances: returns the HALF capacitances (cgs, cgd, cgb) as
    /// `DEVqmeyer` does (n-frame voltages, `von`/`vdsat` from [`Mos1::dc`]). In reverse
    /// mode the caller swaps: pass (vgd, vgs) and read (cgd, cgs), as ngspice does. The
    /// op-point capacitance is `2 * half + overlap`.
    pub fn meyer(&self, vgs: f64, vgd: f64, von: f64, vdsat: f64) -> (f64, f64, f64) {
        let cox = self.cox;
        let phi = self.tphi;
        let vgst = vgs - von;
        let vdsat = vdsat.max(MAGIC_VDS);
        if vgst <= -phi {
            (0.0, 0.0, cox / 2.0)
        } else if vgst <= -phi / 2.0 {
            (0.0, 0.0, -vgst * cox / (2.0 * phi))
        } else if vgst <= 0.0 {
            let cgb = -vgst * cox / (2.0 * phi);
            let cgs = vgst * cox / (1.5 * phi) + cox / 3.0;
            let vds = vgs - vgd;
            if vds >= vdsat {
                (cgs, 0.0, cgb)
            } else {
                let vddif = 2.0 * vdsat - vds;
                let vddif1 = vdsat - vds;
                let vddif2 = vddif * vddif;
                (cgs * (1.0 - vddif1 * vddif1 / vddif2), cgs * (1.0 - vdsat * vdsat / vddif2), cgb)
            }
        } else {
            let vds = vgs - vgd;
            if vdsat <= vds {
                (cox / 3.0, 0.0, 0.0)
            } else {
                let vddif = 2.0 * vdsat - vds;
                let vddif1 = vdsat - vds;
                let vddif2 = vddif * vddif;
                (cox * (1.0 - vddif1 * vddif1 / vddif2) / 3.0, cox * (1.0 - vdsat * vdsat / vddif2) / 3.0, 0.0)
            }
        }
    }

    /// Total overlap capacitances (Cgso, Cgdo, Cgbo): CGSO*M*W, CGDO*M*W, CGBO*M*Leff.
    pub fn overlap_caps(&self) -> (f64, f64, f64) {
        (self.cgso, self.cgdo, self.cgbo)
    }

    #[inline]
    fn sarg(&self, arg: f64, m: f64) -> f64 {
        // ngspice special-cases MJ = 0.5 with 1/sqrt: reproduce the rounding.
        if m == 0.5 {
            1.0 / arg.sqrt()
        } else {
            (-m * arg.ln()).exp()
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn junction(&self, v: f64, cz: f64, czsw: f64, f2: f64, f3: f64, f4: f64) -> (f64, f64) {
        if cz == 0.0 && czsw == 0.0 {
            return (0.0, 0.0);
        }
        if v == 0.0 && 0.0 < self.tdep_cap {
            // Zero bias (a junction tied to its body): arg = 1 and both sargs are exactly 1.
            return (0.0, cz + czsw);
        }
        if v < self.tdep_cap {
            let arg = 1.0 - v / self.tbulk_pot;
            let sarg = self.sarg(arg, self.mj);
            let sargsw = self.sarg(arg, self.mjsw);
            let q = self.tbulk_pot
                * (cz * (1.0 - arg * sarg) / (1.0 - self.mj) + czsw * (1.0 - arg * sargsw) / (1.0 - self.mjsw));
            (q, cz * sarg + czsw * sargsw)
        } else {
            (f4 + v * (f2 + v * (f3 / 2.0)), f2 + f3 * v)
        }
    }

    /// Bulk-drain depletion (charge, capacitance) at n-frame `vbd`.
    pub fn junction_bd(&self, vbd: f64) -> (f64, f64) {
        self.junction(vbd, self.czbd, self.czbdsw, self.f2d, self.f3d, self.f4d)
    }

    /// Bulk-source depletion (charge, capacitance) at n-frame `vbs`.
    pub fn junction_bs(&self, vbs: f64) -> (f64, f64) {
        self.junction(vbs, self.czbs, self.czbssw, self.f2s, self.f3s, self.f4s)
    }
}
