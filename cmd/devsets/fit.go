package main

import (
	"hash/fnv"
	"math"
)

// group is one question's candidates: feature vectors and which of them
// are right (evidence passages, or answering sentences).
type group struct {
	id       string
	features [][]float64
	right    []bool
}

// fitPairwise fits weights w so that, within each group, w·x of a right
// candidate exceeds w·x of a wrong one: logistic regression on the
// differences of every right and wrong pair (RankNet with a linear
// scorer), each group weighing the same, with an L2 penalty, by Newton's
// method. Groups with no right or no wrong candidate teach nothing and are
// left out.
func fitPairwise(groups []group, dims int, l2 float64) []float64 {
	type pair struct {
		d      []float64
		weight float64
	}
	var pairs []pair
	for _, g := range groups {
		var right, wrong []int
		for i, r := range g.right {
			if r {
				right = append(right, i)
			} else {
				wrong = append(wrong, i)
			}
		}
		if len(right) == 0 || len(wrong) == 0 {
			continue
		}
		weight := 1 / float64(len(right)*len(wrong))
		for _, r := range right {
			for _, w := range wrong {
				d := make([]float64, dims)
				for k := range d {
					d[k] = g.features[r][k] - g.features[w][k]
				}
				pairs = append(pairs, pair{d, weight})
			}
		}
	}
	w := make([]float64, dims)
	for iter := 0; iter < 50; iter++ {
		grad := make([]float64, dims)
		hess := make([][]float64, dims)
		for k := range hess {
			hess[k] = make([]float64, dims)
			hess[k][k] = l2
			grad[k] = l2 * w[k]
		}
		for _, p := range pairs {
			z := dotF(w, p.d)
			s := 1 / (1 + math.Exp(z)) // σ(−z): the loss's slope
			for k := range grad {
				grad[k] -= p.weight * s * p.d[k]
			}
			c := p.weight * s * (1 - s)
			for a := range hess {
				for b := range hess[a] {
					hess[a][b] += c * p.d[a] * p.d[b]
				}
			}
		}
		step := solve(hess, grad)
		change := 0.0
		for k := range w {
			w[k] -= step[k]
			change = max(change, math.Abs(step[k]))
		}
		if change < 1e-6 {
			break
		}
	}
	return w
}

func dotF(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves a·x = b by Gaussian elimination with partial pivoting; a
// is symmetric positive definite here (the L2 penalty sees to it).
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range m {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for col := range n {
		p := col
		for r := col + 1; r < n; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		m[col], m[p] = m[p], m[col]
		for r := col + 1; r < n; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c <= n; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for c := r + 1; c < n; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x
}

// fold is the cross-validation fold of a question id, of k.
func fold(id string, k int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(k))
}
