//! Newton-Raphson step limiting as SPICE3 / ngspice define it (`devsup.c`).
//!
//! Each function takes the new and previous iterate and returns the limited new value.

/// Limits the change of a pn-junction voltage (`DEVpnjlim`). `vt` is the (emission-scaled)
/// thermal voltage and `vcrit` the critical voltage of the junction. Returns the limited
/// voltage and whether limiting happened (ngspice's `icheck`, which marks non-convergence).
pub fn pnjlim(vnew: f64, vold: f64, vt: f64, vcrit: f64) -> (f64, bool) {
    if vnew > vcrit && (vnew - vold).abs() > vt + vt {
        let v = if vold > 0.0 {
            let arg = (vnew - vold) / vt;
            if arg > 0.0 {
                vold + vt * (2.0 + (arg - 2.0).ln())
            } else {
                vold - vt * (2.0 + (2.0 - arg).ln())
            }
        } else {
            vt * (vnew / vt).ln()
        };
        (v, true)
    } else if vnew < 0.0 {
        let arg = if vold > 0.0 { -vold - 1.0 } else { 2.0 * vold - 1.0 };
        if vnew < arg {
            (arg, true)
        } else {
            (vnew, false)
        }
    } else {
        (vnew, false)
    }
}

/// Limits the change of a FET gate voltage (`DEVfetlim`) around the threshold `vto`.
pub fn fetlim(vnew: f64, vold: f64, vto: f64) -> f64 {
    let vtsthi = (2.0 * (vold - vto)).abs() + 2.0;
    let vtstlo = (vold - vto).abs() + 1.0;
    let vtox = vto + 3.5;
    let delv = vnew - vold;
    let mut v = vnew;
    if vold >= vto {
        if vold >= vtox {
            if delv <= 0.0 {
                // going off
                if v >= vtox {
                    if -delv > vtstlo {
                        v = vold - vtstlo;
                    }
                } else {
                    v = v.max(vto + 2.0);
                }
            } else if delv >= vtsthi {
                // staying on
                v = vold + vtsthi;
            }
        } else if delv <= 0.0 {
            // middle region, decreasing
            v = v.max(vto - 0.5);
        } else {
            // middle region, increasing
            v = v.min(vto + 4.0);
        }
    } else if delv <= 0.0 {
        // off, going further off
        if -delv > vtsthi {
            v = vold - vtsthi;
        }
    } else {
        let vtemp = vto + 0.5;
        if v <= vtemp {
            if delv > vtstlo {
                v = vold + vtstlo;
            }
        } else {
            v = vtemp;
        }
    }
    v
}

/// Limits the change of a drain-source voltage (`DEVlimvds`).
pub fn limvds(vnew: f64, vold: f64) -> f64 {
    if vold >= 3.5 {
        if vnew > vold {
            vnew.min(3.0 * vold + 2.0)
        } else if vnew < 3.5 {
            vnew.max(2.0)
        } else {
            vnew
        }
    } else if vnew > vold {
        vnew.min(4.0)
    } else {
        vnew.max(-0.5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnjlim_limits_large_forward_steps() {
        let vt = 0.025852;
        let vcrit = 0.6;
        let (v, lim) = pnjlim(5.0, 0.7, vt, vcrit);
        assert!(lim);
        assert!(v > 0.7 && v < 1.0);
        let (v, lim) = pnjlim(0.5, 0.4, vt, vcrit);
        assert!(!lim);
        assert_eq!(v, 0.5);
        // From a non-positive old value: vt*ln(vnew/vt).
        let (v, _) = pnjlim(2.0, 0.0, vt, vcrit);
        assert!((v - vt * (2.0 / vt).ln()).abs() < 1e-15);
        // Negative limiting.
        let (v, lim) = pnjlim(-10.0, 0.5, vt, vcrit);
        assert!(lim);
        assert_eq!(v, -1.5);
    }

    #[test]
    fn fetlim_and_limvds() {
        assert_eq!(fetlim(10.0, 0.0, 0.5), 1.0); // off, increasing above vto+0.5
        assert_eq!(fetlim(0.3, 0.0, 0.5), 0.3);
        assert_eq!(fetlim(10.0, 1.0, 0.5), 4.5); // middle region
        assert_eq!(limvds(10.0, 1.0), 4.0);
        assert_eq!(limvds(-3.0, 1.0), -0.5);
        assert_eq!(limvds(20.0, 4.0), 14.0);
        assert_eq!(limvds(1.0, 4.0), 2.0);
    }
}
