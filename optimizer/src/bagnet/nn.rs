//! BagNet's pairwise discriminator, written out by hand (forward, backward, Adam).
//!
//! Two designs `a`, `b` (z-normalized grid indices) go through one shared feature extractor
//! (dense `d -> h` ReLU, dense `h -> h` ReLU, dropout after each). The comparator input is
//! `z = [f(a), reverse(f(b))]`; swapping `a` and `b` reverses `z`. Each spec has a head of two
//! *mirrored* layers (`W = [w ; w reversed in both axes]`, bias `[c ; reverse(c)]`): `2h -> h`
//! ReLU with dropout, then `h -> 2` logits `[l0, l1]`. A mirrored layer maps `reverse(z)` to the
//! reverse of its output; its sums pair input `i` with input `n-1-i` before adding the pairs in
//! a fixed order, so this holds bitwise, and the logits of `(b, a)` are exactly `[l1, l0]`. The
//! two-class softmax is evaluated as `P(better) = s(l1 - l0)` with `s(t) = 1/(1+e^-t)` for
//! `t >= 0` and `1 - s(-t)` otherwise, so `P(a better than b) + P(b better than a) == 1.0`
//! exactly, for every pair and every dropout mask (masks are shared by both sides and mirrored
//! in the heads).
//!
//! Dropout (keep probability 0.8) stays on at query time, as in the reference (one Monte-Carlo
//! sample per query). Loss: the sum over specs of the mean softmax cross-entropy; Adam.
//! Batches are split in fixed chunks whose gradients are summed in chunk order, so training is
//! identical for a seed whatever the rayon thread count.
//!
//! Hand-written rather than built on a Rust NN crate: the network has a few thousand weights,
//! needs two non-standard pieces (mirrored layers with a pairing summation order, for exact
//! antisymmetry, and masks shared across the two branches), and the crates that would fit
//! (candle, burn, tch, dfdx) pull large dependency trees or native libraries into a crate that
//! is otherwise pure math.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Network and training settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NnConfig {
    /// Width of the feature extractor's two layers and of the heads' hidden layer (even).
    pub hidden: usize,
    /// Dropout keep probability (training and queries).
    pub keep_prob: f64,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Pairs per Adam step.
    pub batch: usize,
    /// Adam steps per training round (the first round, and the cap of later ones).
    pub steps_per_round: usize,
    /// Later rounds (warm start): Adam steps per new pair (pairs with a design added since the
    /// last round), at least `min_steps`; half of each batch is new pairs. 0: every round takes
    /// `steps_per_round` on uniform pairs (the reference).
    #[serde(default)]
    pub steps_per_new_pair: f64,
    /// Least Adam steps of a later round.
    #[serde(default)]
    pub min_steps: usize,
    /// Stop a round once the mean loss of a 25-step window is not 1 % below the previous one.
    #[serde(default)]
    pub early_stop: bool,
}

impl Default for NnConfig {
    /// The reference's settings: 1000 Adam steps of 64 pairs every round.
    fn default() -> Self {
        Self {
            hidden: 20,
            keep_prob: 0.8,
            learning_rate: 1e-3,
            batch: 64,
            steps_per_round: 1000,
            steps_per_new_pair: 0.0,
            min_steps: 0,
            early_stop: false,
        }
    }
}

impl NnConfig {
    /// Cheaper training: the full round once, then warm-started rounds of one Adam step per 16
    /// new pairs (50..1000 steps, half of each batch new pairs), with early stopping.
    pub fn fast() -> Self {
        Self { steps_per_new_pair: 1.0 / 16.0, min_steps: 50, early_stop: true, ..Self::default() }
    }
}

/// `P(better) = s(t)` evaluated so that `p(t) + p(-t) == 1` exactly.
#[inline]
pub fn prob_of_margin(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        1.0 - 1.0 / (1.0 + t.exp())
    }
}

/// Dropout masks of one forward pass (already divided by the keep probability; 0 = dropped).
#[derive(Clone, Debug)]
pub struct Masks {
    ext1: Vec<f64>,
    ext2: Vec<f64>,
    /// One mirrored mask per head.
    heads: Vec<Vec<f64>>,
}

/// The pairwise discriminator: parameters, input normalization and Adam state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Discriminator {
    d: usize,
    n_specs: usize,
    h: usize,
    keep: f64,
    /// All parameters, flat (see `offsets`).
    pub(crate) theta: Vec<f64>,
    mu: Vec<f64>,
    sd: Vec<f64>,
    m: Vec<f64>,
    v: Vec<f64>,
    t: u64,
}

/// Offsets of the parameter blocks.
#[derive(Clone, Copy)]
struct Layout {
    w1: usize,
    b1: usize,
    w2: usize,
    b2: usize,
    h: usize,
    n_specs: usize,
    len: usize,
}

impl Layout {
    /// Offsets `(u1, c1, u2, c2)` of head `s`.
    fn head(&self, s: usize) -> (usize, usize, usize, usize) {
        let h = self.h;
        let per = (h / 2) * (2 * h) + h / 2 + h + 1;
        let u1 = self.b2 + h + s * per;
        let c1 = u1 + (h / 2) * (2 * h);
        let u2 = c1 + h / 2;
        let c2 = u2 + h;
        (u1, c1, u2, c2)
    }

    fn heads(&self) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
        (0..self.n_specs).map(|s| self.head(s))
    }
}

fn layout(d: usize, h: usize, n_specs: usize) -> Layout {
    let w1 = 0;
    let b1 = w1 + h * d;
    let w2 = b1 + h;
    let b2 = w2 + h * h;
    let mut lay = Layout { w1, b1, w2, b2, h, n_specs, len: 0 };
    lay.len = if n_specs == 0 { b2 + h } else { lay.head(n_specs - 1).3 + 1 };
    lay
}

/// `sum_i w[i] x[i]` in a fixed order.
#[inline]
fn dot(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(a, b)| a * b).sum()
}

/// Mirrored layer: `half` stored rows `u` (`half x n`), bias `c` (`half`); output `2 half`:
/// row `k < half` is `u[k]`, row `2 half - 1 - k` is `u[k]` reversed. Sums pair `i` with `n-1-i`.
fn sym_forward(u: &[f64], c: &[f64], half: usize, z: &[f64], out: &mut [f64]) {
    let n = z.len();
    for k in 0..half {
        let row = &u[k * n..(k + 1) * n];
        out[k] = pair_sum(row, z, false) + c[k];
        out[2 * half - 1 - k] = pair_sum(row, z, true) + c[k];
    }
}

/// `sum_i r[i] z[i]` (or with `r` reversed) adding the terms of inputs `i` and `n-1-i` first:
/// the reversed row on the reversed input gives the same pairs, each added in swapped order,
/// which is exact.
#[inline]
fn pair_sum(r: &[f64], z: &[f64], reversed: bool) -> f64 {
    let n = z.len();
    let (r, z) = (&r[..n], &z[..n]);
    let half = n / 2;
    // Pair i: terms of inputs i and j = n-1-i, added in that order (the weight of input i is
    // r[i], or r[j] when the row is reversed). Pair i goes to accumulator i % 4; the four are
    // combined in a fixed order. Reversal maps pair i to itself, so the sums stay exact mirrors.
    let mut acc = [0.0f64; 4];
    if reversed {
        for (i, (zi, zj)) in z[..half].iter().zip(z[n - half..].iter().rev()).enumerate() {
            acc[i % 4] += r[n - 1 - i] * zi + r[i] * zj;
        }
    } else {
        for (i, (zi, zj)) in z[..half].iter().zip(z[n - half..].iter().rev()).enumerate() {
            acc[i % 4] += r[i] * zi + r[n - 1 - i] * zj;
        }
    }
    let mut s = (acc[0] + acc[2]) + (acc[1] + acc[3]);
    if n % 2 == 1 {
        s += r[half] * z[half];
    }
    s
}

/// Activations of one forward pass (for the backward pass).
struct Trace {
    xa: Vec<f64>,
    xb: Vec<f64>,
    a1: Vec<f64>,
    b1: Vec<f64>,
    a2: Vec<f64>,
    b2: Vec<f64>,
    z: Vec<f64>,
    /// Per head: hidden after ReLU and mask, and the margin `l1 - l0`.
    hid: Vec<Vec<f64>>,
    pre: Vec<Vec<f64>>,
    margin: Vec<f64>,
}

impl Discriminator {
    /// A new network for designs of `d` grid indices and `n_specs` specs, initialized from `seed`
    /// (He-normal weights, zero biases).
    pub fn new(d: usize, n_specs: usize, cfg: &NnConfig, seed: u64) -> Self {
        let h = cfg.hidden.max(2) / 2 * 2;
        let lay = layout(d, h, n_specs);
        let mut rng = crate::rng::stream(seed, 0xba6e, 0);
        let mut theta = vec![0.0; lay.len];
        let mut normal = |fan_in: usize, out: &mut [f64]| {
            let s = (2.0 / fan_in as f64).sqrt();
            for v in out {
                // Box-Muller.
                let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
                *v = s * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            }
        };
        normal(d, &mut theta[lay.w1..lay.b1]);
        normal(h, &mut theta[lay.w2..lay.b2]);
        for (u1, c1, u2, c2) in lay.heads() {
            normal(2 * h, &mut theta[u1..c1]);
            normal(h, &mut theta[u2..c2]);
        }
        let n = theta.len();
        Self {
            d,
            n_specs,
            h,
            keep: cfg.keep_prob.clamp(1e-3, 1.0),
            theta,
            mu: vec![0.0; d],
            sd: vec![1.0; d],
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    /// Number of parameters.
    pub fn n_params(&self) -> usize {
        self.theta.len()
    }

    /// Sets the input normalization from designs (mean and standard deviation per index).
    pub fn set_normalization(&mut self, designs: &[Vec<f64>]) {
        let n = designs.len().max(1) as f64;
        for q in 0..self.d {
            let mean = designs.iter().map(|x| x[q]).sum::<f64>() / n;
            let var = designs.iter().map(|x| (x[q] - mean).powi(2)).sum::<f64>() / n;
            self.mu[q] = mean;
            self.sd[q] = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        }
    }

    /// Fresh dropout masks (all ones when `keep_prob` is 1).
    pub fn draw_masks<R: Rng + ?Sized>(&self, rng: &mut R) -> Masks {
        let h = self.h;
        let keep = self.keep;
        let bit = |rng: &mut R| if keep >= 1.0 || rng.random::<f64>() < keep { 1.0 / keep } else { 0.0 };
        let ext1 = (0..h).map(|_| bit(rng)).collect();
        let ext2 = (0..h).map(|_| bit(rng)).collect();
        let heads = (0..self.n_specs)
            .map(|_| {
                let mut m = vec![0.0; h];
                for k in 0..h / 2 {
                    let b = bit(rng);
                    m[k] = b;
                    m[h - 1 - k] = b;
                }
                m
            })
            .collect();
        Masks { ext1, ext2, heads }
    }

    /// Masks that keep everything (deterministic network).
    pub fn no_masks(&self) -> Masks {
        Masks { ext1: vec![1.0; self.h], ext2: vec![1.0; self.h], heads: vec![vec![1.0; self.h]; self.n_specs] }
    }

    fn forward(&self, theta: &[f64], a: &[f64], b: &[f64], masks: &Masks) -> Trace {
        let (d, h) = (self.d, self.h);
        let lay = layout(d, h, self.n_specs);
        let norm = |x: &[f64]| -> Vec<f64> { (0..d).map(|q| (x[q] - self.mu[q]) / self.sd[q]).collect() };
        let (xa, xb) = (norm(a), norm(b));
        let dense = |w: usize, bias: usize, n_in: usize, x: &[f64], mask: &[f64]| -> Vec<f64> {
            (0..h)
                .map(|k| (dot(&theta[w + k * n_in..w + (k + 1) * n_in], x) + theta[bias + k]).max(0.0) * mask[k])
                .collect()
        };
        let a1 = dense(lay.w1, lay.b1, d, &xa, &masks.ext1);
        let b1 = dense(lay.w1, lay.b1, d, &xb, &masks.ext1);
        let a2 = dense(lay.w2, lay.b2, h, &a1, &masks.ext2);
        let b2 = dense(lay.w2, lay.b2, h, &b1, &masks.ext2);
        let mut z = a2.clone();
        z.extend(b2.iter().rev());
        let mut hid = Vec::with_capacity(self.n_specs);
        let mut pre = Vec::with_capacity(self.n_specs);
        let mut margin = Vec::with_capacity(self.n_specs);
        for (s, (u1, c1, u2, c2)) in lay.heads().enumerate() {
            let mut p = vec![0.0; h];
            sym_forward(&theta[u1..c1], &theta[c1..u2], h / 2, &z, &mut p);
            let hd: Vec<f64> = p.iter().zip(&masks.heads[s]).map(|(v, m)| v.max(0.0) * m).collect();
            let mut l = [0.0; 2];
            sym_forward(&theta[u2..c2], &theta[c2..c2 + 1], 1, &hd, &mut l);
            margin.push(l[1] - l[0]);
            hid.push(hd);
            pre.push(p);
        }
        Trace { xa, xb, a1, b1, a2, b2, z, hid, pre, margin }
    }

    /// `P(a better than b)` per spec under the given masks.
    pub fn prob_better_with(&self, a: &[f64], b: &[f64], masks: &Masks) -> Vec<f64> {
        self.forward(&self.theta, a, b, masks).margin.into_iter().map(prob_of_margin).collect()
    }

    /// `P(a better than b)` per spec with fresh dropout masks (one Monte-Carlo sample).
    pub fn prob_better<R: Rng + ?Sized>(&self, a: &[f64], b: &[f64], rng: &mut R) -> Vec<f64> {
        let masks = self.draw_masks(rng);
        self.prob_better_with(a, b, &masks)
    }

    /// Loss of one pair (sum over specs of the cross-entropy; `labels[s]` = 1 when `a` is the
    /// better one for spec `s`) and, when `grad` is given, its gradient added into `grad`.
    pub fn pair_loss(
        &self,
        theta: &[f64],
        a: &[f64],
        b: &[f64],
        labels: &[f64],
        masks: &Masks,
        grad: Option<&mut [f64]>,
    ) -> f64 {
        let (d, h) = (self.d, self.h);
        let lay = layout(d, h, self.n_specs);
        let tr = self.forward(theta, a, b, masks);
        let mut loss = 0.0;
        let mut dmargin = vec![0.0; self.n_specs];
        for s in 0..self.n_specs {
            let t = tr.margin[s];
            let y = labels[s];
            // -[y ln p + (1-y) ln(1-p)], p = s(t), computed stably.
            let softplus = |x: f64| if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() };
            loss += y * softplus(-t) + (1.0 - y) * softplus(t);
            dmargin[s] = prob_of_margin(t) - y;
        }
        let Some(g) = grad else {
            return loss;
        };
        let mut dz = vec![0.0; 2 * h];
        for (s, (u1, c1, u2, c2)) in lay.heads().enumerate() {
            // margin = l1 - l0; l0 = u2 . hid + c2, l1 = reverse(u2) . hid + c2.
            let dm = dmargin[s];
            let u2w = &theta[u2..c2];
            let hd = &tr.hid[s];
            let mut dhid = vec![0.0; h];
            for i in 0..h {
                g[u2 + i] += dm * (hd[h - 1 - i] - hd[i]);
                dhid[i] = dm * (u2w[h - 1 - i] - u2w[i]);
            }
            // g[c2] += dm * (1 - 1) = 0: the bias cancels in the margin.
            let _ = c2;
            let dpre: Vec<f64> =
                (0..h).map(|k| if tr.pre[s][k] > 0.0 { dhid[k] * masks.heads[s][k] } else { 0.0 }).collect();
            // Mirrored layer: out[k] = u[k].z + c[k], out[h-1-k] = u[k].rev(z) + c[k].
            let n = 2 * h;
            let u1w = &theta[u1..c1];
            for k in 0..h / 2 {
                let (top, bot) = (dpre[k], dpre[h - 1 - k]);
                g[c1 + k] += top + bot;
                if top == 0.0 && bot == 0.0 {
                    continue; // adds exact zeros only
                }
                let gk = &mut g[u1 + k * n..u1 + (k + 1) * n];
                let wk = &u1w[k * n..(k + 1) * n];
                for (i, (gi, zi)) in gk.iter_mut().zip(&tr.z).enumerate() {
                    *gi += top * zi + bot * tr.z[n - 1 - i];
                }
                for (i, di) in dz.iter_mut().enumerate() {
                    *di += top * wk[i] + bot * wk[n - 1 - i];
                }
            }
        }
        // z = [a2, reverse(b2)].
        let da2: Vec<f64> = dz[..h].to_vec();
        let db2: Vec<f64> = (0..h).map(|k| dz[2 * h - 1 - k]).collect();
        let back = |x_in: &[f64],
                    out: &[f64],
                    dout: &[f64],
                    mask: &[f64],
                    w: usize,
                    bias: usize,
                    n_in: usize,
                    g: &mut [f64]|
         -> Vec<f64> {
            let mut dx = vec![0.0; n_in];
            for k in 0..h {
                if out[k] <= 0.0 {
                    continue; // ReLU off or dropped
                }
                let dp = dout[k] * mask[k];
                g[bias + k] += dp;
                for i in 0..n_in {
                    g[w + k * n_in + i] += dp * x_in[i];
                    dx[i] += dp * theta[w + k * n_in + i];
                }
            }
            dx
        };
        let da1 = back(&tr.a1, &tr.a2, &da2, &masks.ext2, lay.w2, lay.b2, h, g);
        let db1 = back(&tr.b1, &tr.b2, &db2, &masks.ext2, lay.w2, lay.b2, h, g);
        back(&tr.xa, &tr.a1, &da1, &masks.ext1, lay.w1, lay.b1, d, g);
        back(&tr.xb, &tr.b1, &db1, &masks.ext1, lay.w1, lay.b1, d, g);
        loss
    }

    /// One Adam step on a batch of pairs `(a, b, labels)`; masks are drawn from `rng` in batch
    /// order before the parallel part. Returns the mean loss.
    pub fn adam_step<R: Rng + ?Sized>(
        &mut self,
        batch: &[(&[f64], &[f64], Vec<f64>)],
        cfg: &NnConfig,
        rng: &mut R,
    ) -> f64 {
        const CHUNK: usize = 16;
        let masks: Vec<Masks> = batch.iter().map(|_| self.draw_masks(rng)).collect();
        let n = self.theta.len();
        let this = &*self;
        let parts: Vec<(f64, Vec<f64>)> = batch
            .par_chunks(CHUNK)
            .zip(masks.par_chunks(CHUNK))
            .map(|(pairs, ms)| {
                let mut g = vec![0.0; n];
                let mut l = 0.0;
                for ((a, b, y), m) in pairs.iter().zip(ms) {
                    l += this.pair_loss(&this.theta, a, b, y, m, Some(&mut g));
                }
                (l, g)
            })
            .collect();
        let mut grad = vec![0.0; n];
        let mut loss = 0.0;
        for (l, g) in parts {
            loss += l;
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        let scale = 1.0 / batch.len().max(1) as f64;
        self.t += 1;
        let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        let c1 = 1.0 - b1.powi(self.t as i32);
        let c2 = 1.0 - b2.powi(self.t as i32);
        for (i, gr) in grad.iter().enumerate() {
            let gi = gr * scale;
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * gi;
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * gi * gi;
            self.theta[i] -= cfg.learning_rate * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
        loss * scale
    }

    /// Parameters (flat).
    pub fn params(&self) -> &[f64] {
        &self.theta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_probabilities_are_exact_complements() {
        for t in [0.0, 1e-300, 0.1, 0.3333, 1.0, 7.5, 40.0, 800.0] {
            assert_eq!(prob_of_margin(t) + prob_of_margin(-t), 1.0, "{t}");
        }
    }
}
