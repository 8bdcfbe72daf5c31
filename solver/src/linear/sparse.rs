//! Sparse LU for large systems, on faer: the fill-reducing column ordering and symbolic
//! structure are computed once per pattern; each Newton iteration refactors numerically
//! (partial pivoting) into storage and a workspace kept from the previous factorization.

use super::{Scalar, Singular};
use crate::pattern::Pattern;
use faer::dyn_stack::{MemBuffer, MemStack, StackReq};
use faer::sparse::linalg::lu::{factorize_symbolic_lu, LuRef, NumericLu, SymbolicLu};
use faer::sparse::{SparseColMatRef, SymbolicSparseColMatRef};
use faer::{Conj, MatMut, Par};

/// Sparse LU factorization bound to one pattern.
pub struct SparseLu<T: Scalar> {
    n: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<usize>,
    symbolic: SymbolicLu<usize>,
    numeric: NumericLu<usize, T>,
    mem: MemBuffer,
    factored: bool,
}

impl<T: Scalar> std::fmt::Debug for SparseLu<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SparseLu {{ n: {}, nnz: {} }}", self.n, self.row_idx.len())
    }
}

impl<T: Scalar> Clone for SparseLu<T> {
    fn clone(&self) -> Self {
        // A clone (one per worker thread) gets its own workspace; numeric factors are
        // recomputed on its first factorization.
        SparseLu {
            n: self.n,
            col_ptr: self.col_ptr.clone(),
            row_idx: self.row_idx.clone(),
            symbolic: self.symbolic.clone(),
            numeric: NumericLu::new(),
            mem: MemBuffer::new(Self::scratch(&self.symbolic)),
            factored: false,
        }
    }
}

impl<T: Scalar> SparseLu<T> {
    fn scratch(symbolic: &SymbolicLu<usize>) -> StackReq {
        StackReq::any_of(&[
            symbolic.factorize_numeric_lu_scratch::<T>(Par::Seq, Default::default()),
            symbolic.solve_in_place_scratch::<T>(1, Par::Seq),
        ])
    }

    /// Symbolic analysis of the pattern (done once).
    pub fn new(p: &Pattern) -> Self {
        let n = p.n;
        let col_ptr = p.col_ptr.clone();
        let row_idx = p.row_idx.clone();
        let sym = SymbolicSparseColMatRef::new_checked(n, n, &col_ptr, None, &row_idx);
        let symbolic = factorize_symbolic_lu(sym, Default::default()).expect("symbolic LU of a valid pattern");
        let mem = MemBuffer::new(Self::scratch(&symbolic));
        SparseLu { n, col_ptr, row_idx, symbolic, numeric: NumericLu::new(), mem, factored: false }
    }

    /// Numeric factorization of the pattern values (trash slot ignored).
    pub fn factor(&mut self, values: &[T]) -> Result<(), Singular> {
        let nnz = self.row_idx.len();
        let sym = SymbolicSparseColMatRef::new_checked(self.n, self.n, &self.col_ptr, None, &self.row_idx);
        let a = SparseColMatRef::new(sym, &values[..nnz]);
        let stack = MemStack::new(&mut self.mem);
        self.factored = false;
        match self.symbolic.factorize_numeric_lu(&mut self.numeric, a, Par::Seq, stack, Default::default()) {
            Ok(_) => {
                self.factored = true;
                Ok(())
            }
            Err(faer::sparse::linalg::LuError::SymbolicSingular { index }) => {
                Err(Singular { unknown: index.min(self.n.saturating_sub(1)) })
            }
            Err(_) => Err(Singular { unknown: 0 }),
        }
    }

    /// Solves `A^T z = e` in place (no conjugation).
    pub fn solve_transpose(&mut self, rhs: &mut [T]) {
        if !self.factored {
            return;
        }
        let lu = LuRef::new_unchecked(&self.symbolic, &self.numeric);
        let x = MatMut::from_column_major_slice_mut(&mut rhs[..self.n], self.n, 1);
        let stack = MemStack::new(&mut self.mem);
        lu.solve_transpose_in_place_with_conj(Conj::No, x, Par::Seq, stack);
    }

    /// Solves in place with the last factorization.
    pub fn solve(&mut self, rhs: &mut [T]) {
        if !self.factored {
            return;
        }
        let lu = LuRef::new_unchecked(&self.symbolic, &self.numeric);
        let x = MatMut::from_column_major_slice_mut(&mut rhs[..self.n], self.n, 1);
        let stack = MemStack::new(&mut self.mem);
        lu.solve_in_place_with_conj(Conj::No, x, Par::Seq, stack);
    }
}
