//! The dataset's matrices stored by column: a column holding only 0, 1 and NaN (dummies, weekly
//! indicators) takes one byte per person instead of eight, and two matrices may share a column
//! (a covariate that is also a descriptive variable is stored once). Every value reads back with
//! the exact bits it was stored with.

use ndarray::{Array2, ArrayView2};
use std::sync::Arc;

/// The values a byte column stands for, by code (0, 1, 2).
static FLAG_VALUES: [f64; 3] = [0.0, 1.0, f64::NAN];

/// One column: bytes while every value is 0, 1 or NaN (exact bits), else numbers.
#[derive(Debug, Clone)]
enum Column {
    Flags(Vec<u8>),
    Values(Vec<f64>),
}

/// The byte code of `v`, if it is exactly 0.0, 1.0 or `f64::NAN`.
fn flag(v: f64) -> Option<u8> {
    FLAG_VALUES
        .iter()
        .position(|f| f.to_bits() == v.to_bits())
        .map(|k| k as u8)
}

impl Column {
    fn get(&self, i: usize) -> &f64 {
        match self {
            Column::Flags(f) => &FLAG_VALUES[usize::from(f[i])],
            Column::Values(v) => &v[i],
        }
    }

    /// Appends `values`, turning a byte column into numbers at the first value that needs it.
    fn extend(&mut self, values: impl Iterator<Item = f64>) {
        for v in values {
            match (&mut *self, flag(v)) {
                (Column::Flags(f), Some(code)) => f.push(code),
                (Column::Flags(f), None) => {
                    let mut numbers: Vec<f64> =
                        f.iter().map(|&c| FLAG_VALUES[usize::from(c)]).collect();
                    numbers.push(v);
                    *self = Column::Values(numbers);
                }
                (Column::Values(n), _) => n.push(v),
            }
        }
    }
}

/// An n × k matrix of `f64` stored by column (see the module documentation), indexed as an
/// `ndarray::Array2<f64>` (`m[[i, j]]`).
#[derive(Debug, Clone, Default)]
pub struct Columns {
    nrows: usize,
    columns: Vec<Arc<Column>>,
}

impl Columns {
    /// An empty matrix (no rows) with `ncols` columns.
    pub fn new(ncols: usize) -> Columns {
        Columns {
            nrows: 0,
            columns: (0..ncols)
                .map(|_| Arc::new(Column::Flags(Vec::new())))
                .collect(),
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    pub fn ncols(&self) -> usize {
        self.columns.len()
    }

    /// Appends the rows of `block` (its width must be [`Columns::ncols`]).
    pub fn append(&mut self, block: ArrayView2<f64>) {
        assert_eq!(block.ncols(), self.ncols(), "block width");
        for (column, values) in self.columns.iter_mut().zip(block.columns()) {
            Arc::make_mut(column).extend(values.iter().copied());
        }
        self.nrows += block.nrows();
    }

    /// The columns `indices`, in that order, sharing their storage with `self`.
    pub fn pick(&self, indices: &[usize]) -> Columns {
        Columns {
            nrows: self.nrows,
            columns: indices
                .iter()
                .map(|&j| Arc::clone(&self.columns[j]))
                .collect(),
        }
    }

    /// Column `j` as numbers.
    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.nrows).map(|i| self[[i, j]]).collect()
    }

    /// The rows `rows` (all columns) as a dense matrix.
    pub fn rows(&self, rows: &[usize]) -> Array2<f64> {
        let all: Vec<usize> = (0..self.ncols()).collect();
        self.submatrix(rows, &all)
    }

    /// The rows `rows` of the columns `columns`, as a dense matrix.
    pub fn submatrix(&self, rows: &[usize], columns: &[usize]) -> Array2<f64> {
        Array2::from_shape_fn((rows.len(), columns.len()), |(r, c)| {
            self[[rows[r], columns[c]]]
        })
    }
}

impl std::ops::Index<[usize; 2]> for Columns {
    type Output = f64;

    fn index(&self, [i, j]: [usize; 2]) -> &f64 {
        assert!(i < self.nrows, "row {i} of {}", self.nrows);
        self.columns[j].get(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, array};

    #[test]
    fn values_read_back_with_their_bits_and_columns_are_shared() {
        let computed_nan = f64::from_bits(f64::NAN.to_bits() ^ (1 << 63));
        let a = array![[0.0, -0.0, 1.0], [f64::NAN, 0.5, computed_nan]];
        let mut m = Columns::new(3);
        m.append(a.row(0).insert_axis(Axis(0)));
        m.append(a.row(1).insert_axis(Axis(0)));
        assert_eq!((m.nrows(), m.ncols()), (2, 3));
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(m[[i, j]].to_bits(), a[[i, j]].to_bits(), "({i}, {j})");
            }
        }
        assert!(matches!(*m.columns[0], Column::Flags(_)));
        assert!(matches!(*m.columns[1], Column::Values(_)));
        let picked = m.pick(&[2, 0]);
        assert!(Arc::ptr_eq(&picked.columns[1], &m.columns[0]));
        assert_eq!(picked.column(1)[0], 0.0);
        assert_eq!(m.rows(&[1]).shape(), &[1, 3]);
        assert_eq!(m.submatrix(&[1, 0], &[1]), array![[0.5], [-0.0]]);
    }
}
