//! The two-phase matrix pattern: devices reserve entries at compile time and receive slot
//! indices into one values array; loads then add through those slots with no search.
//!
//! Unknown `n` (one past the last) stands for ground: any entry in its row or column maps to
//! the trash slot `nnz`, so stamping code never branches on ground.

/// A reserved entry before the pattern is final; becomes a slot index after [`PatternBuilder::finish`].
pub type Slot = usize;

/// Collects the entries devices need.
#[derive(Debug, Clone)]
pub struct PatternBuilder {
    n: usize,
    entries: Vec<(usize, usize)>,
}

/// A compressed-sparse-column pattern of an `n x n` matrix; values arrays have `nnz() + 1`
/// entries, the last being the trash slot.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// Number of unknowns.
    pub n: usize,
    /// Column pointers (`n + 1`).
    pub col_ptr: Vec<usize>,
    /// Row index of each stored entry.
    pub row_idx: Vec<usize>,
}

impl Pattern {
    /// Stored entries (the trash slot excluded).
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }

    /// The trash slot index.
    pub fn trash(&self) -> usize {
        self.row_idx.len()
    }
}

impl PatternBuilder {
    /// A builder for `n` unknowns (ground is `n`).
    pub fn new(n: usize) -> Self {
        PatternBuilder { n, entries: Vec::new() }
    }

    /// Reserves entry (row, col); returns a provisional slot to be mapped by `finish`.
    pub fn entry(&mut self, row: usize, col: usize) -> Slot {
        self.entries.push((row, col));
        self.entries.len() - 1
    }

    /// Reserves the four entries of a conductance between `a` and `b`:
    /// `[aa, ab, ba, bb]`.
    pub fn pair(&mut self, a: usize, b: usize) -> [Slot; 4] {
        [self.entry(a, a), self.entry(a, b), self.entry(b, a), self.entry(b, b)]
    }

    /// Builds the CSC pattern (every diagonal is present) and the map from provisional to
    /// final slots.
    pub fn finish(mut self) -> (Pattern, Vec<Slot>) {
        let n = self.n;
        let provisional = self.entries.len();
        for i in 0..n {
            self.entries.push((i, i));
        }
        let mut order: Vec<usize> = (0..self.entries.len()).collect();
        order.sort_by_key(|&k| {
            let (r, c) = self.entries[k];
            (c, r)
        });
        let mut col_ptr = vec![0usize; n + 1];
        let mut row_idx = Vec::new();
        let mut slot_of = vec![usize::MAX; self.entries.len()];
        let mut last: Option<(usize, usize)> = None;
        for &k in &order {
            let (r, c) = self.entries[k];
            if r >= n || c >= n {
                continue;
            }
            if last != Some((r, c)) {
                row_idx.push(r);
                col_ptr[c + 1] += 1;
                last = Some((r, c));
            }
            slot_of[k] = row_idx.len() - 1;
        }
        for c in 0..n {
            col_ptr[c + 1] += col_ptr[c];
        }
        let trash = row_idx.len();
        for s in slot_of.iter_mut() {
            if *s == usize::MAX {
                *s = trash;
            }
        }
        slot_of.truncate(provisional);
        (Pattern { n, col_ptr, row_idx }, slot_of)
    }
}

/// The slot index of the diagonal entry of each unknown.
pub fn diagonal_slots(p: &Pattern) -> Vec<Slot> {
    (0..p.n).map(|c| (p.col_ptr[c]..p.col_ptr[c + 1]).find(|&k| p.row_idx[k] == c).unwrap_or(p.trash())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ground_entries_go_to_trash_and_duplicates_merge() {
        let mut b = PatternBuilder::new(2);
        let s = b.pair(0, 2); // 2 is ground
        let t = b.entry(0, 0);
        let u = b.entry(1, 0);
        let (p, map) = b.finish();
        assert_eq!(p.nnz(), 3); // (0,0), (1,0), (1,1)
        assert_eq!(map[s[0]], map[t]);
        assert_eq!(map[s[1]], p.trash());
        assert_eq!(map[s[2]], p.trash());
        assert_eq!(map[s[3]], p.trash());
        assert_ne!(map[u], p.trash());
        assert_eq!(diagonal_slots(&p).len(), 2);
    }
}
