//! The number type BSIM-lite's bias-dependent equations are written over: `f64` for the
//! simulator (one bias per call) and [`Lanes`] for the gm/Id table generator (several gate
//! voltages of one (VDS, VBS) per call, evaluated side by side in SIMD registers).
//!
//! The equations are written once, generic over [`Lane`]; a bias-dependent branch is
//! [`Lane::select`] with both arms as closures. For `f64` that is the plain `if`, so the
//! simulator's code is what it was; for [`Lanes`] only the arm some lane takes is evaluated,
//! and when the lanes disagree both are, then blended lane by lane. Every lane operation is
//! the IEEE operation of the scalar code (no fused multiply-add, no reassociation). `exp` and
//! `ln` are the one difference: libm's are one call per value, so [`Lanes`] evaluates its own
//! (fdlibm's reductions and minimax polynomials, branch-free over the lanes), within one
//! unit in the last place of libm's (tested); a lane out of their fast range (|x| > 708, or a
//! logarithm of zero, a subnormal, a negative, infinity or NaN) gets libm's value. Each lane's
//! result depends on that lane's input alone, whatever the lane count.
//!
//! [`Lanes`] is a plain array the compiler vectorises: compiled inside a function with
//! `#[target_feature(enable = "avx2")]` (the table generator picks it at run time with
//! `is_x86_feature_detected!`) four `f64` lanes are one AVX register; in a baseline x86-64
//! build they are two SSE2 registers.

// Indexed loops over the lanes: they compile to tighter vector code than `array::map` and
// `array::from_fn` here (about 10 % of a table's generation time).
#![allow(clippy::needless_range_loop)]

use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A number type for the bias-dependent part of a model: `f64`, or [`Lanes`] of them.
/// Arithmetic with `f64` on the right applies the scalar to every lane.
pub trait Lane:
    Copy
    + Debug
    + Default
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
{
    /// A per-lane truth value.
    type Mask: Copy;
    /// Every lane `v`.
    fn splat(v: f64) -> Self;
    /// `self > v` per lane.
    fn gt(self, v: Self) -> Self::Mask;
    /// `self >= v` per lane.
    fn ge(self, v: Self) -> Self::Mask;
    /// `self < v` per lane.
    fn lt(self, v: Self) -> Self::Mask;
    /// `a && b` per lane.
    fn and(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// Square root per lane.
    fn sqrt(self) -> Self;
    /// `e^self` per lane (libm's `exp`).
    fn exp(self) -> Self;
    /// Natural logarithm per lane (libm's `ln`).
    fn ln(self) -> Self;
    /// Absolute value per lane.
    fn abs(self) -> Self;
    /// `f64::max` per lane.
    fn max(self, v: f64) -> Self;
    /// `if m { a() } else { b() }` per lane: an arm is evaluated only when some lane takes it.
    fn select<R: Blend<Self>>(m: Self::Mask, a: impl FnOnce() -> R, b: impl FnOnce() -> R) -> R;
    /// Lane `a` where `m` holds, else lane `b`.
    fn blend(m: Self::Mask, a: Self, b: Self) -> Self;
}

/// What [`Lane::select`] can return: a lane value or a tuple of them.
pub trait Blend<L: Lane> {
    /// `a` where `m` holds, else `b`, per lane.
    fn blend(m: L::Mask, a: Self, b: Self) -> Self;
}

impl<L: Lane> Blend<L> for L {
    #[inline(always)]
    fn blend(m: L::Mask, a: L, b: L) -> L {
        L::blend(m, a, b)
    }
}

macro_rules! blend_tuple {
    ($($t:ident $i:tt),+) => {
        impl<L: Lane> Blend<L> for ($($t,)+) {
            #[inline(always)]
            fn blend(m: L::Mask, a: Self, b: Self) -> Self {
                ($(L::blend(m, a.$i, b.$i),)+)
            }
        }
    };
}
blend_tuple!(L 0, L 1);
blend_tuple!(L 0, L 1, L 2);
blend_tuple!(L 0, L 1, L 2, L 3);
blend_tuple!(L 0, L 1, L 2, L 3, L 4);

impl Lane for f64 {
    type Mask = bool;
    #[inline(always)]
    fn splat(v: f64) -> f64 {
        v
    }
    #[inline(always)]
    fn gt(self, v: f64) -> bool {
        self > v
    }
    #[inline(always)]
    fn ge(self, v: f64) -> bool {
        self >= v
    }
    #[inline(always)]
    fn lt(self, v: f64) -> bool {
        self < v
    }
    #[inline(always)]
    fn and(a: bool, b: bool) -> bool {
        a && b
    }
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn exp(self) -> f64 {
        f64::exp(self)
    }
    #[inline(always)]
    fn ln(self) -> f64 {
        f64::ln(self)
    }
    #[inline(always)]
    fn abs(self) -> f64 {
        f64::abs(self)
    }
    #[inline(always)]
    fn max(self, v: f64) -> f64 {
        f64::max(self, v)
    }
    #[inline(always)]
    fn select<R: Blend<f64>>(m: bool, a: impl FnOnce() -> R, b: impl FnOnce() -> R) -> R {
        if m {
            a()
        } else {
            b()
        }
    }
    #[inline(always)]
    fn blend(m: bool, a: f64, b: f64) -> f64 {
        if m {
            a
        } else {
            b
        }
    }
}

/// `N` values evaluated side by side (element-wise operations the compiler vectorises).
///
/// ```
/// use insitu_devices::bsim3::lane::{Lane, Lanes};
/// let x = Lanes([0.5, 1.0, 2.0, 4.0]);
/// let y = Lane::select(x.gt(Lanes::splat(1.5)), || x.ln(), || x * 2.0);
/// assert_eq!(y.0, [1.0, 2.0, 2f64.ln(), 4f64.ln()]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(transparent)]
pub struct Lanes<const N: usize>(pub [f64; N]);

impl<const N: usize> Default for Lanes<N> {
    fn default() -> Self {
        Lanes([0.0; N])
    }
}

macro_rules! lane_op {
    ($tr:ident, $f:ident, $op:tt) => {
        impl<const N: usize> $tr for Lanes<N> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: Self) -> Self {
                let mut r = [0.0; N];
                for i in 0..N {
                    r[i] = self.0[i] $op o.0[i];
                }
                Lanes(r)
            }
        }
        impl<const N: usize> $tr<f64> for Lanes<N> {
            type Output = Self;
            #[inline(always)]
            fn $f(self, o: f64) -> Self {
                let mut r = [0.0; N];
                for i in 0..N {
                    r[i] = self.0[i] $op o;
                }
                Lanes(r)
            }
        }
    };
}
lane_op!(Add, add, +);
lane_op!(Sub, sub, -);
lane_op!(Mul, mul, *);
lane_op!(Div, div, /);

impl<const N: usize> Neg for Lanes<N> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(|x| -x)
    }
}

impl<const N: usize> Lanes<N> {
    #[inline(always)]
    fn map(self, f: impl Fn(f64) -> f64) -> Self {
        let mut r = [0.0; N];
        for i in 0..N {
            r[i] = f(self.0[i]);
        }
        Lanes(r)
    }
    /// `fast` where `ok` holds for the lane's input, else `slow` of the input.
    #[cold]
    fn per_lane(self, fast: Self, ok: impl Fn(f64) -> bool, slow: impl Fn(f64) -> f64) -> Self {
        let mut r = fast.0;
        for i in 0..N {
            if !ok(self.0[i]) {
                r[i] = slow(self.0[i]);
            }
        }
        Lanes(r)
    }
    #[inline(always)]
    fn cmp(self, o: Self, f: impl Fn(f64, f64) -> bool) -> [bool; N] {
        let mut r = [false; N];
        for i in 0..N {
            r[i] = f(self.0[i], o.0[i]);
        }
        r
    }
}

impl<const N: usize> Lane for Lanes<N> {
    type Mask = [bool; N];
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Lanes([v; N])
    }
    #[inline(always)]
    fn gt(self, v: Self) -> [bool; N] {
        self.cmp(v, |a, b| a > b)
    }
    #[inline(always)]
    fn ge(self, v: Self) -> [bool; N] {
        self.cmp(v, |a, b| a >= b)
    }
    #[inline(always)]
    fn lt(self, v: Self) -> [bool; N] {
        self.cmp(v, |a, b| a < b)
    }
    #[inline(always)]
    fn and(a: [bool; N], b: [bool; N]) -> [bool; N] {
        let mut r = [false; N];
        for i in 0..N {
            r[i] = a[i] & b[i];
        }
        r
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        self.map(f64::sqrt)
    }
    #[inline(always)]
    fn exp(self) -> Self {
        // Each lane's value depends on that lane alone (libm where it is out of range), so a
        // result does not depend on the lane count or on its neighbours.
        let fast = self.map(exp_in_range);
        if self.0.iter().all(|x| x.abs() <= 708.0) {
            fast
        } else {
            self.per_lane(fast, |x| x.abs() <= 708.0, f64::exp)
        }
    }
    #[inline(always)]
    fn ln(self) -> Self {
        let normal = |x: f64| (f64::MIN_POSITIVE..f64::INFINITY).contains(&x);
        let fast = self.map(ln_normal);
        if self.0.iter().all(|&x| normal(x)) {
            fast
        } else {
            self.per_lane(fast, normal, f64::ln)
        }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.map(f64::abs)
    }
    #[inline(always)]
    fn max(self, v: f64) -> Self {
        self.map(|x| x.max(v))
    }
    #[inline(always)]
    fn select<R: Blend<Self>>(m: [bool; N], a: impl FnOnce() -> R, b: impl FnOnce() -> R) -> R {
        // One call site per arm, so that the compiler inlines both.
        let ra = m.iter().any(|&x| x).then(a);
        let rb = (!m.iter().all(|&x| x)).then(b);
        match (ra, rb) {
            (Some(a), Some(b)) => R::blend(m, a, b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
            (None, None) => unreachable!("a lane takes one arm or the other"),
        }
    }
    #[inline(always)]
    fn blend(m: [bool; N], a: Self, b: Self) -> Self {
        let mut r = [0.0; N];
        for i in 0..N {
            r[i] = if m[i] { a.0[i] } else { b.0[i] };
        }
        Lanes(r)
    }
}

/// 1.5 * 2^52: adding it rounds a value below 2^51 in magnitude to an integer, which then sits
/// in the low bits of the sum's representation.
const ROUND: f64 = 6755399441055744.0;
/// ln 2 split so that k ln2_hi is exact for |k| < 2^11 (fdlibm's split).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// e^x for |x| <= 708, branch-free: x = k ln 2 + r with |r| <= ln 2 / 2 (Cody-Waite), e^r
/// from fdlibm's rational form 1 + r + r c / (2 - c) with its degree-5 minimax polynomial
/// in r^2, times 2^k built from the exponent bits.
#[inline(always)]
#[allow(clippy::excessive_precision)] // the published coefficients, digit for digit
fn exp_in_range(x: f64) -> f64 {
    const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
    const P: [f64; 5] = [
        1.66666666666666019037e-01,
        -2.77777777770155933842e-03,
        6.61375632143793436117e-05,
        -1.65339022054652515390e-06,
        4.13813679705723846039e-08,
    ];
    let t = x * INV_LN2 + ROUND;
    let kf = t - ROUND;
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let z = r * r;
    let c = r - z * (P[0] + z * (P[1] + z * (P[2] + z * (P[3] + z * P[4]))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // k + 1023 in the exponent field: 2^k for -1022 <= k <= 1023.
    let k = t.to_bits().wrapping_sub(ROUND.to_bits());
    y * f64::from_bits(k.wrapping_add(1023) << 52)
}

/// ln x for a normal positive finite x, branch-free: x = 2^k m with sqrt(1/2) <= m < sqrt(2)
/// from the bits, ln m = 2 atanh(f / (2 + f)) (f = m - 1) with fdlibm's degree-14 minimax
/// polynomial, plus k ln 2 in two parts.
#[inline(always)]
#[allow(clippy::excessive_precision)] // the published coefficients, digit for digit
fn ln_normal(x: f64) -> f64 {
    const SQRT_HALF_BITS: u64 = 0x3fe6_a09e_667f_3bcd;
    const LG: [f64; 7] = [
        6.666666666666735130e-01,
        3.999999999940941908e-01,
        2.857142874366239149e-01,
        2.222219843214978396e-01,
        1.818357216161805012e-01,
        1.531383769920937332e-01,
        1.479819860511658591e-01,
    ];
    let bits = x.to_bits();
    let k = (bits.wrapping_sub(SQRT_HALF_BITS) as i64) >> 52;
    let m = f64::from_bits(bits.wrapping_sub((k << 52) as u64));
    let kf = f64::from_bits(ROUND.to_bits().wrapping_add(k as u64)) - ROUND;
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG[1] + w * (LG[3] + w * LG[5]));
    let t2 = z * (LG[0] + w * (LG[2] + w * (LG[4] + w * LG[6])));
    let r = t2 + t1;
    kf * LN2_HI - ((hfsq - (s * (hfsq + r) + kf * LN2_LO)) - f)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64).abs_diff(b.to_bits() as i64)
    }

    #[test]
    fn lane_exp_and_ln_are_within_one_ulp_of_libm() {
        // A deterministic sweep: exp over [-708, 708] (fine near 0), ln over 1e-307..1e308
        // (log-uniform) and near 1, where the relative accuracy of ln is hardest.
        let mut worst = (0, 0);
        let n = 400_000;
        for i in 0..=n {
            let u = i as f64 / n as f64;
            for x in [-708.0 + 1416.0 * u, -1.0 + 2.0 * u, 1e-3 * (u - 0.5)] {
                let v = Lanes([x; 4]).exp().0[0];
                worst.0 = worst.0.max(ulps(v, x.exp()));
            }
            for x in [10f64.powf(-307.0 + 615.0 * u), 0.5 + u, 1.0 + 1e-6 * (u - 0.5)] {
                let v = Lanes([x; 4]).ln().0[0];
                worst.1 = worst.1.max(ulps(v, x.ln()));
            }
        }
        assert!(worst.0 <= 1 && worst.1 <= 1, "exp, ln: {worst:?} ulps from libm");
        // Out of the fast range a lane gets libm's value; its neighbours keep theirs.
        let x = Lanes([800.0, -800.0, 1.0, f64::NAN]).exp().0;
        assert!(x[0] == f64::INFINITY && x[1] == 0.0 && x[3].is_nan());
        assert_eq!(x[2], Lanes([1.0; 4]).exp().0[2]);
        let x = Lanes([0.0, -1.0, 1e-320, 2.0]).ln().0;
        assert!(x[0] == f64::NEG_INFINITY && x[1].is_nan() && x[2] == 1e-320f64.ln());
        assert_eq!(x[3], Lanes([2.0; 4]).ln().0[0]);
        assert_eq!(Lanes([f64::INFINITY; 2]).ln().0, [f64::INFINITY; 2]);
        assert_eq!(Lanes([1.0; 2]).ln().0, [0.0; 2]);
    }
}
