//! The numbers the linear solvers work on: `f64` and `Complex64`.

use num_complex::Complex64;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A field element with a magnitude for pivoting.
pub trait Scalar:
    Copy
    + Default
    + std::fmt::Debug
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + faer::traits::ComplexField
    + 'static
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// Whether the dense solve's back substitution runs over pivot-scaled U entries in one
    /// loop (real Newton solves) rather than row by row; complex solves keep the row form,
    /// whose bits the AC lanes reproduce.
    const SCALED_BACK: bool;
    /// A magnitude for pivot choice (|x| or |re| + |im|).
    fn mag(self) -> f64;
    /// Whether every component is finite.
    fn finite(self) -> bool;
}

impl Scalar for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const SCALED_BACK: bool = true;
    #[inline]
    fn mag(self) -> f64 {
        self.abs()
    }
    #[inline]
    fn finite(self) -> bool {
        self.is_finite()
    }
}

impl Scalar for Complex64 {
    const ZERO: Self = Complex64::new(0.0, 0.0);
    const ONE: Self = Complex64::new(1.0, 0.0);
    const SCALED_BACK: bool = false;
    #[inline]
    fn mag(self) -> f64 {
        self.re.abs() + self.im.abs()
    }
    #[inline]
    fn finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}
