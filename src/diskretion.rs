//! Disclosure control: no published number may rest on 1–4 persons (DST's rule is 3; we use the
//! stricter 5 by default, `analyse.diskretion`). A hidden cell must not be recoverable from a
//! published total, so when one part of a split is hidden, its complement is hidden too.

/// A count as published: the number, or hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Shown.
    Shown(usize),
    /// Suppressed for discretion.
    Hidden,
}

/// Whether a count may be shown: 0 or at least `threshold`.
pub fn publishable(count: usize, threshold: usize) -> bool {
    count == 0 || count >= threshold
}

/// A total split into two parts (e.g. women and men): a part with 1..threshold persons is
/// hidden, and then the other part too (it would reveal the hidden one as total − part).
pub fn split(parts: (usize, usize), threshold: usize) -> (Cell, Cell) {
    let (a, b) = parts;
    if publishable(a, threshold) && publishable(b, threshold) {
        (Cell::Shown(a), Cell::Shown(b))
    } else {
        (Cell::Hidden, Cell::Hidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_and_their_complements_are_hidden() {
        // Tabel 2.1 of the published report hides both sexes in Kerteminde (8 persons).
        assert_eq!(split((6, 2), 5), (Cell::Hidden, Cell::Hidden));
        assert_eq!(split((40, 0), 5), (Cell::Shown(40), Cell::Shown(0)));
        assert_eq!(split((25, 25), 5), (Cell::Shown(25), Cell::Shown(25)));
        assert!(publishable(0, 5) && !publishable(4, 5) && publishable(5, 5));
    }
}
