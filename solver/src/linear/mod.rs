//! Linear solvers behind one interface: dense LU for small systems, sparse LU for large ones.
//!
//! Both work on the values array of one [`Pattern`]: devices add into
//! slots of that array, then the backend factors and solves in place without allocating.

mod dense;
mod lanes;
mod plan;
mod scalar;
mod sparse;

pub use dense::{DenseLu, Pivoting};
pub use lanes::{AcLanes, LANES};
pub use plan::CompactPlan;
pub use scalar::Scalar;
pub use sparse::SparseLu;

use crate::pattern::Pattern;

/// Systems with at most this many unknowns use the dense backend.
pub const DENSE_LIMIT: usize = 60;

/// A failed factorization: the matrix is singular at the given (pivot) unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Singular {
    /// The unknown whose pivot vanished.
    pub unknown: usize,
}

/// A linear solver bound to one pattern.
// Both variants are built once per simulator and never moved in a hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum LinearSolver<T: Scalar> {
    /// Dense LU with partial pivoting.
    Dense(DenseLu<T>),
    /// Sparse LU with a reusable symbolic analysis (boxed: it is large and used rarely).
    Sparse(Box<SparseLu<T>>),
}

impl<T: Scalar> LinearSolver<T> {
    /// Chooses a backend for the pattern by size.
    pub fn for_pattern(pattern: &Pattern) -> Self {
        if pattern.n <= DENSE_LIMIT {
            LinearSolver::Dense(DenseLu::new(pattern))
        } else {
            LinearSolver::Sparse(Box::new(SparseLu::new(pattern)))
        }
    }

    /// Forces the sparse backend (for tests and benchmarks).
    pub fn sparse(pattern: &Pattern) -> Self {
        LinearSolver::Sparse(Box::new(SparseLu::new(pattern)))
    }

    /// Forces the dense backend.
    pub fn dense(pattern: &Pattern) -> Self {
        LinearSolver::Dense(DenseLu::new(pattern))
    }

    /// Makes the next factorization independent of the previous ones (see
    /// [`DenseLu::reset_plan`]); the sparse backend pivots afresh every time anyway.
    pub fn reset_plan(&mut self) {
        if let LinearSolver::Dense(d) = self {
            d.reset_plan();
        }
    }

    /// [`LinearSolver::reset_plan`] with the dense backend's pivoting strategy.
    pub fn reset_plan_with(&mut self, pivoting: Pivoting) {
        if let LinearSolver::Dense(d) = self {
            d.reset_plan_with(pivoting);
        }
    }

    /// Sets the dense backend's plan in hand aside ([`DenseLu::pin_plan`]); false when
    /// nothing was pinned (no plan, or the sparse backend).
    pub fn pin_plan(&mut self) -> bool {
        match self {
            LinearSolver::Dense(d) => d.pin_plan(),
            LinearSolver::Sparse(_) => false,
        }
    }

    /// Forgets the pinned plan ([`DenseLu::unpin_plan`]).
    pub fn unpin_plan(&mut self) {
        if let LinearSolver::Dense(d) = self {
            d.unpin_plan();
        }
    }

    /// [`LinearSolver::reset_plan_with`], the next factorization replaying the pinned plan
    /// first ([`DenseLu::reset_to_pinned`]); without a pinned plan (and for the sparse
    /// solver, which pins none), just [`LinearSolver::reset_plan_with`].
    pub fn reset_to_pinned(&mut self, pivoting: Pivoting) {
        match self {
            LinearSolver::Dense(d) => d.reset_to_pinned(pivoting),
            LinearSolver::Sparse(_) => self.reset_plan_with(pivoting),
        }
    }

    /// Factors the matrix whose pattern values are `values` (trash slot included at the end).
    pub fn factor(&mut self, values: &[T]) -> Result<(), Singular> {
        match self {
            LinearSolver::Dense(d) => d.factor(values),
            LinearSolver::Sparse(s) => s.factor(values),
        }
    }

    /// Solves `A^T z = e` in place (plain transpose) with the last factorization.
    pub fn solve_transpose(&mut self, rhs: &mut [T]) {
        match self {
            LinearSolver::Dense(d) => d.solve_transpose(rhs),
            LinearSolver::Sparse(s) => s.solve_transpose(rhs),
        }
    }

    /// Solves in place: `rhs` holds b on entry and x on return (its first `n` entries).
    pub fn solve(&mut self, rhs: &mut [T]) {
        match self {
            LinearSolver::Dense(d) => d.solve(rhs),
            LinearSolver::Sparse(s) => s.solve(rhs),
        }
    }
}
