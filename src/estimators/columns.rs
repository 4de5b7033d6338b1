//! Per-covariate facts about the rows of a propensity-score fit, by treatment group: the range
//! of values and whether zeros and nonzeros occur. Stata's checks before a fit (perfect
//! prediction, constant columns, separation; docs/spec/estimators.md §3) read only these.
//!
//! A fit gets them from one pass over its rows ([`ColumnRanges::scan`]). A bootstrap replicate
//! draws its rows from one sample, so [`ColumnOrder`] sorts each group's rows by value once per
//! sample, and a replicate's facts follow from the first and last drawn row of each column
//! ([`ColumnOrder::ranges`]): about two lookups per column instead of a pass over every row.

use ndarray::ArrayView2;

/// Per covariate, over the rows of a fit: the value ranges of treated and controls and where
/// the nonzero values lie.
pub(super) struct ColumnRanges {
    /// (min, max) among the treated rows.
    pub(super) treated: Vec<(f64, f64)>,
    /// (min, max) among the control rows.
    pub(super) control: Vec<(f64, f64)>,
    any_zero: Vec<bool>,
    nonzero_treated: Vec<bool>,
    nonzero_control: Vec<bool>,
}

/// The facts of one treatment group, column by column.
struct GroupFacts {
    min: Vec<f64>,
    max: Vec<f64>,
    any_zero: Vec<bool>,
    any_nonzero: Vec<bool>,
}

impl GroupFacts {
    fn new(k: usize) -> Self {
        GroupFacts {
            min: vec![f64::INFINITY; k],
            max: vec![f64::NEG_INFINITY; k],
            any_zero: vec![false; k],
            any_nonzero: vec![false; k],
        }
    }

    /// Takes one row in; returns whether all its values are finite.
    fn add(&mut self, row: &[f64]) -> bool {
        let k = row.len();
        let (min, max) = (&mut self.min[..k], &mut self.max[..k]);
        let (zero, nonzero) = (&mut self.any_zero[..k], &mut self.any_nonzero[..k]);
        let mut finite = true;
        for c in 0..k {
            let v = row[c];
            min[c] = min[c].min(v);
            max[c] = max[c].max(v);
            zero[c] |= v == 0.0;
            nonzero[c] |= v != 0.0;
            finite &= v.is_finite();
        }
        finite
    }
}

impl ColumnRanges {
    fn from_groups(treated: GroupFacts, control: GroupFacts) -> ColumnRanges {
        ColumnRanges {
            treated: treated.min.into_iter().zip(treated.max).collect(),
            control: control.min.into_iter().zip(control.max).collect(),
            any_zero: (treated.any_zero.iter())
                .zip(&control.any_zero)
                .map(|(t, c)| *t || *c)
                .collect(),
            nonzero_treated: treated.any_nonzero,
            nonzero_control: control.any_nonzero,
        }
    }

    /// Scans `rows` of `x`; `Err(row)` names the first row with a non-finite covariate.
    pub(super) fn scan(
        x: ArrayView2<f64>,
        rows: &[usize],
        treat: &[bool],
    ) -> Result<ColumnRanges, usize> {
        let k = x.ncols();
        let (mut treated, mut control) = (GroupFacts::new(k), GroupFacts::new(k));
        let mut finite = true;
        for &i in rows {
            let row = x.row(i);
            let group = if treat[i] { &mut treated } else { &mut control };
            finite &= match row.as_slice() {
                Some(row) => group.add(row),
                None => group.add(&row.to_vec()),
            };
        }
        if !finite {
            let bad = rows
                .iter()
                .copied()
                .find(|&i| x.row(i).iter().any(|v| !v.is_finite()));
            return Err(bad.unwrap_or(0));
        }
        Ok(ColumnRanges::from_groups(treated, control))
    }

    /// Every row with `x != 0` has the same treatment status and some row has
    /// `x == 0` (Stata drops such a covariate with its nonzero rows).
    pub(super) fn perfect_prediction(&self, c: usize) -> bool {
        self.any_zero[c] && self.nonzero_treated[c] != self.nonzero_control[c]
    }

    /// The column takes more than one value.
    pub(super) fn varies(&self, c: usize) -> bool {
        let lo = self.treated[c].0.min(self.control[c].0);
        let hi = self.treated[c].1.max(self.control[c].1);
        lo < hi
    }
}

/// One group's rows of one column sorted by value, and where its zeros lie in that order.
#[derive(Debug)]
struct SortedColumn {
    rows: Vec<u32>,
    zeros: (usize, usize),
}

/// Each covariate's rows sorted by value, per treatment group, for the [`ColumnRanges`] of any
/// subset of the rows (a bootstrap replicate).
#[derive(Debug)]
pub(super) struct ColumnOrder {
    /// Per column: (treated, controls).
    columns: Vec<(SortedColumn, SortedColumn)>,
}

impl ColumnOrder {
    /// Sorts every column of `x`; `None` if a value is not finite (the fit reports it) or the
    /// rows do not fit in 32 bits.
    pub(super) fn new(x: ArrayView2<f64>, treat: &[bool]) -> Option<ColumnOrder> {
        let n = u32::try_from(x.nrows()).ok()?;
        if x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let group = |c: usize, treated: bool| {
            // (value, row) pairs, sorted in a contiguous buffer.
            let mut pairs: Vec<(f64, u32)> = (0..n)
                .filter(|&i| treat[i as usize] == treated)
                .map(|i| (x[[i as usize, c]], i))
                .collect();
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let start = pairs.partition_point(|&(v, _)| v < 0.0);
            let end = pairs.partition_point(|&(v, _)| v <= 0.0);
            SortedColumn {
                rows: pairs.into_iter().map(|(_, i)| i).collect(),
                zeros: (start, end),
            }
        };
        let columns = (0..x.ncols())
            .map(|c| (group(c, true), group(c, false)))
            .collect();
        Some(ColumnOrder { columns })
    }

    /// The facts of the rows with `drawn(row)` (rows of the `x` given to [`ColumnOrder::new`]).
    pub(super) fn ranges(&self, x: ArrayView2<f64>, drawn: &dyn Fn(usize) -> bool) -> ColumnRanges {
        let k = self.columns.len();
        let (mut treated, mut control) = (GroupFacts::new(k), GroupFacts::new(k));
        let any = |rows: &[u32]| rows.iter().any(|&i| drawn(i as usize));
        for (c, (t, u)) in self.columns.iter().enumerate() {
            for (sorted, facts) in [(t, &mut treated), (u, &mut control)] {
                let rows = &sorted.rows;
                let first = rows.iter().find(|&&i| drawn(i as usize));
                let last = rows.iter().rev().find(|&&i| drawn(i as usize));
                if let (Some(&lo), Some(&hi)) = (first, last) {
                    facts.min[c] = x[[lo as usize, c]];
                    facts.max[c] = x[[hi as usize, c]];
                }
                let (z0, z1) = sorted.zeros;
                facts.any_zero[c] = any(&rows[z0..z1]);
                facts.any_nonzero[c] = any(&rows[..z0]) || any(&rows[z1..]);
            }
        }
        ColumnRanges::from_groups(treated, control)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The ranges from the sorted order equal those of a scan, for every subset of the rows.
    #[test]
    fn ranges_from_the_order_equal_a_scan_for_every_subset() {
        let x = array![
            [0.0, 1.5, -2.0],
            [1.0, 0.0, 0.0],
            [0.0, -1.0, 3.0],
            [1.0, 2.5, 0.0],
            [0.0, 0.0, -0.5],
            [1.0, 1.5, 4.0],
        ];
        let treat = [true, false, true, false, false, true];
        let order = ColumnOrder::new(x.view(), &treat).expect("finite");
        for mask in 0u32..64 {
            let drawn = |i: usize| mask & (1 << i) != 0;
            let rows: Vec<usize> = (0..6).filter(|&i| drawn(i)).collect();
            let scanned = ColumnRanges::scan(x.view(), &rows, &treat).expect("finite");
            let ordered = order.ranges(x.view(), &drawn);
            assert_eq!(scanned.treated, ordered.treated, "mask {mask:06b}");
            assert_eq!(scanned.control, ordered.control, "mask {mask:06b}");
            for c in 0..3 {
                assert_eq!(
                    scanned.perfect_prediction(c),
                    ordered.perfect_prediction(c),
                    "mask {mask:06b} column {c}"
                );
                assert_eq!(scanned.varies(c), ordered.varies(c));
            }
            assert_eq!(scanned.any_zero, ordered.any_zero);
            assert_eq!(scanned.nonzero_treated, ordered.nonzero_treated);
            assert_eq!(scanned.nonzero_control, ordered.nonzero_control);
        }
    }

    #[test]
    fn a_non_finite_value_names_its_row() {
        let x = array![[0.0, 1.0], [f64::NAN, 2.0], [1.0, f64::INFINITY]];
        let treat = [true, false, true];
        assert!(ColumnOrder::new(x.view(), &treat).is_none());
        assert_eq!(
            ColumnRanges::scan(x.view(), &[0, 1, 2], &treat).err(),
            Some(1)
        );
    }
}
