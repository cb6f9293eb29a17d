package io.medpipe.training.model;

import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fully connected feed-forward network: ReLU hidden layers and a softmax output, trained with mini-batch Adam on
 * row-weighted cross-entropy plus L2 decay. Plain Java on purpose: Smile 3.1.1's MLP needs native OpenBLAS (org.bytedeco,
 * one jar per OS) for every matrix-vector product and exposes no way to read or set a layer's weights, which transfer
 * learning needs; see docs/training.md.
 *
 * <p>Training is sequential and every random choice (initial weights, batch order) comes from one seeded generator,
 * so the same rows, options and seed give bit-identical weights. Instances are immutable once returned by
 * {@link #train}; training works on a copy.
 */
final class NeuralNet implements Serializable {

  @Serial private static final long serialVersionUID = 1L;

  /** Units per layer, input first, output (classes) last. */
  private final int[] sizes;
  /** weights[l][o][i]: from unit i of layer l to unit o of layer l + 1. */
  private final double[][][] weights;
  private final double[][] biases;

  private NeuralNet(int[] sizes, double[][][] weights, double[][] biases) {
    this.sizes = sizes;
    this.weights = weights;
    this.biases = biases;
  }

  /** A new network with He-initialised weights (suited to ReLU) and zero biases. */
  static NeuralNet init(int inputs, int[] hidden, int outputs, SplittableRandom random) {
    int[] sizes = new int[hidden.length + 2];
    sizes[0] = inputs;
    System.arraycopy(hidden, 0, sizes, 1, hidden.length);
    sizes[sizes.length - 1] = outputs;
    double[][][] w = new double[sizes.length - 1][][];
    double[][] b = new double[sizes.length - 1][];
    for (int l = 0; l < w.length; l++) {
      w[l] = randomLayer(sizes[l], sizes[l + 1], random);
      b[l] = new double[sizes[l + 1]];
    }
    return new NeuralNet(sizes, w, b);
  }

  private static double[][] randomLayer(int in, int out, SplittableRandom random) {
    double sd = Math.sqrt(2.0 / in);
    double[][] w = new double[out][in];
    for (double[] row : w) {
      for (int i = 0; i < in; i++) {
        row[i] = gaussian(random) * sd;
      }
    }
    return w;
  }

  /** Box-Muller from the seeded generator (SplittableRandom has no nextGaussian on Java 17). */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * Transfer: a network with this one's hidden layers (copied, so this network stays unchanged) and a new, randomly
   * initialised output layer of {@code outputs} units.
   */
  NeuralNet withNewHead(int outputs, SplittableRandom random) {
    int[] s = sizes.clone();
    s[s.length - 1] = outputs;
    double[][][] w = new double[weights.length][][];
    double[][] b = new double[biases.length][];
    for (int l = 0; l < w.length - 1; l++) {
      w[l] = deepCopy(weights[l]);
      b[l] = biases[l].clone();
    }
    int last = w.length - 1;
    w[last] = randomLayer(s[last], outputs, random);
    b[last] = new double[outputs];
    return new NeuralNet(s, w, b);
  }

  int inputs() {
    return sizes[0];
  }

  int outputs() {
    return sizes[sizes.length - 1];
  }

  /** Hidden layer sizes, in order. */
  int[] hidden() {
    return Arrays.copyOfRange(sizes, 1, sizes.length - 1);
  }

  /** A copy of layer {@code l}'s weights ({@code [out][in]}); layer 0 connects the inputs to the first hidden layer. */
  double[][] weights(int l) {
    return deepCopy(weights[l]);
  }

  /** Class probabilities of one encoded row. */
  double[] predict(double[] x) {
    double[][] a = forward(x);
    return a[a.length - 1];
  }

  /** Activations of every layer, input first; the last is the softmax output. */
  private double[][] forward(double[] x) {
    double[][] a = new double[sizes.length][];
    a[0] = x;
    for (int l = 0; l < weights.length; l++) {
      double[] out = new double[sizes[l + 1]];
      double[][] w = weights[l];
      double[] in = a[l];
      for (int o = 0; o < out.length; o++) {
        double z = biases[l][o];
        double[] row = w[o];
        for (int i = 0; i < in.length; i++) {
          z += row[i] * in[i];
        }
        out[o] = z;
      }
      if (l < weights.length - 1) {
        for (int o = 0; o < out.length; o++) {
          out[o] = Math.max(0, out[o]);
        }
      } else {
        softmax(out);
      }
      a[l + 1] = out;
    }
    return a;
  }

  private static void softmax(double[] z) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int i = 0; i < z.length; i++) {
      z[i] = Math.exp(z[i] - max);
      sum += z[i];
    }
    for (int i = 0; i < z.length; i++) {
      z[i] /= sum;
    }
  }

  /** Mean row-weighted cross-entropy (without the L2 term) over the given rows. */
  double loss(double[][] x, int[] y, double[] rowWeight) {
    double total = 0;
    double weight = 0;
    for (int r = 0; r < x.length; r++) {
      double p = predict(x[r])[y[r]];
      total -= rowWeight[r] * Math.log(Math.max(p, 1e-15));
      weight += rowWeight[r];
    }
    return total / weight;
  }

  /**
   * Trains a copy of this network and returns it.
   *
   * @param rowWeight      per-row loss weight (class weights); the gradient of a batch is divided by its weight sum
   * @param trainFromLayer the first layer whose parameters are updated (0 = all); the layers below stay frozen
   */
  NeuralNet train(double[][] x, int[] y, double[] rowWeight, int epochs, double learningRate, int batchSize,
                  double l2, int trainFromLayer, SplittableRandom random) {
    if (x.length == 0) {
      throw new IllegalArgumentException("no rows to train on");
    }
    double[][][] w = new double[weights.length][][];
    double[][] b = new double[biases.length][];
    for (int l = 0; l < w.length; l++) {
      w[l] = deepCopy(weights[l]);
      b[l] = biases[l].clone();
    }
    NeuralNet net = new NeuralNet(sizes, w, b);
    Adam adam = new Adam(sizes);
    double[][][] gw = zerosLike(w);
    double[][] gb = zerosLike(b);
    int[] order = new int[x.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    int layers = w.length;
    for (int epoch = 0; epoch < epochs; epoch++) {
      shuffle(order, random);
      for (int from = 0; from < order.length; from += batchSize) {
        int to = Math.min(order.length, from + batchSize);
        for (int l = trainFromLayer; l < layers; l++) {
          zero(gw[l]);
          Arrays.fill(gb[l], 0);
        }
        double batchWeight = 0;
        for (int k = from; k < to; k++) {
          int r = order[k];
          batchWeight += rowWeight[r];
          net.backprop(x[r], y[r], rowWeight[r], gw, gb, trainFromLayer);
        }
        if (batchWeight <= 0) {
          continue;
        }
        for (int l = trainFromLayer; l < layers; l++) {
          for (int o = 0; o < gw[l].length; o++) {
            for (int i = 0; i < gw[l][o].length; i++) {
              gw[l][o][i] = gw[l][o][i] / batchWeight + l2 * w[l][o][i];
            }
            gb[l][o] /= batchWeight;
          }
        }
        adam.step(w, b, gw, gb, learningRate, trainFromLayer);
      }
    }
    return net;
  }

  /** Adam (Kingma and Ba 2015) with the usual betas; its moments live only while a network trains. */
  private static final class Adam {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;
    final double[][][] mw;
    final double[][][] vw;
    final double[][] mb;
    final double[][] vb;
    int t;

    Adam(int[] sizes) {
      mw = new double[sizes.length - 1][][];
      vw = new double[sizes.length - 1][][];
      mb = new double[sizes.length - 1][];
      vb = new double[sizes.length - 1][];
      for (int l = 0; l < mw.length; l++) {
        mw[l] = new double[sizes[l + 1]][sizes[l]];
        vw[l] = new double[sizes[l + 1]][sizes[l]];
        mb[l] = new double[sizes[l + 1]];
        vb[l] = new double[sizes[l + 1]];
      }
    }

    void step(double[][][] w, double[][] b, double[][][] gw, double[][] gb, double rate, int fromLayer) {
      t++;
      double c1 = 1 - Math.pow(BETA1, t);
      double c2 = 1 - Math.pow(BETA2, t);
      for (int l = fromLayer; l < w.length; l++) {
        for (int o = 0; o < w[l].length; o++) {
          for (int i = 0; i < w[l][o].length; i++) {
            double g = gw[l][o][i];
            mw[l][o][i] = BETA1 * mw[l][o][i] + (1 - BETA1) * g;
            vw[l][o][i] = BETA2 * vw[l][o][i] + (1 - BETA2) * g * g;
            w[l][o][i] -= rate * (mw[l][o][i] / c1) / (Math.sqrt(vw[l][o][i] / c2) + EPSILON);
          }
          double g = gb[l][o];
          mb[l][o] = BETA1 * mb[l][o] + (1 - BETA1) * g;
          vb[l][o] = BETA2 * vb[l][o] + (1 - BETA2) * g * g;
          b[l][o] -= rate * (mb[l][o] / c1) / (Math.sqrt(vb[l][o] / c2) + EPSILON);
        }
      }
    }
  }

  /**
   * Adds {@code rowWeight} times the cross-entropy gradient of one row to {@code gw} and {@code gb}, for the layers from
   * {@code fromLayer} up (backpropagation; the layers below are not needed when they are frozen).
   */
  private void backprop(double[] x, int y, double rowWeight, double[][][] gw, double[][] gb, int fromLayer) {
    int layers = weights.length;
    double[][] a = forward(x);
    double[][] delta = new double[layers][];
    // output delta of softmax + cross-entropy: p - onehot(y)
    double[] d = a[layers].clone();
    d[y] -= 1;
    for (int o = 0; o < d.length; o++) {
      d[o] *= rowWeight;
    }
    delta[layers - 1] = d;
    for (int l = layers - 1; l > fromLayer; l--) {
      double[] below = new double[sizes[l]];
      for (int o = 0; o < delta[l].length; o++) {
        double dl = delta[l][o];
        if (dl != 0) {
          double[] row = weights[l][o];
          for (int i = 0; i < below.length; i++) {
            below[i] += row[i] * dl;
          }
        }
      }
      for (int i = 0; i < below.length; i++) {
        if (a[l][i] <= 0) { // ReLU derivative
          below[i] = 0;
        }
      }
      delta[l - 1] = below;
    }
    for (int l = fromLayer; l < layers; l++) {
      double[] in = a[l];
      for (int o = 0; o < delta[l].length; o++) {
        double dl = delta[l][o];
        if (dl != 0) {
          double[] g = gw[l][o];
          for (int i = 0; i < in.length; i++) {
            g[i] += dl * in[i];
          }
          gb[l][o] += dl;
        }
      }
    }
  }

  /**
   * The gradient of the mean row-weighted cross-entropy (no L2) with respect to every weight, laid out like the
   * weights: the same backpropagation as {@link #train} uses, exposed for the numerical gradient check in tests.
   */
  double[][][] gradient(double[][] x, int[] y, double[] rowWeight) {
    double[][][] gw = zerosLike(weights);
    double[][] gb = zerosLike(biases);
    double total = 0;
    for (int r = 0; r < x.length; r++) {
      backprop(x[r], y[r], rowWeight[r], gw, gb, 0);
      total += rowWeight[r];
    }
    for (double[][] layer : gw) {
      for (double[] row : layer) {
        for (int i = 0; i < row.length; i++) {
          row[i] /= total;
        }
      }
    }
    return gw;
  }

  /** A copy with one weight changed by {@code eps}; for the numerical gradient check. */
  NeuralNet nudged(int l, int o, int i, double eps) {
    double[][][] w = new double[weights.length][][];
    for (int k = 0; k < w.length; k++) {
      w[k] = deepCopy(weights[k]);
    }
    w[l][o][i] += eps;
    return new NeuralNet(sizes, w, biases);
  }

  private static void shuffle(int[] a, SplittableRandom random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  private static double[][] deepCopy(double[][] m) {
    double[][] c = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      c[i] = m[i].clone();
    }
    return c;
  }

  private static double[][][] zerosLike(double[][][] w) {
    double[][][] z = new double[w.length][][];
    for (int l = 0; l < w.length; l++) {
      z[l] = new double[w[l].length][w[l][0].length];
    }
    return z;
  }

  private static double[][] zerosLike(double[][] b) {
    double[][] z = new double[b.length][];
    for (int l = 0; l < b.length; l++) {
      z[l] = new double[b[l].length];
    }
    return z;
  }

  private static void zero(double[][] m) {
    for (double[] row : m) {
      Arrays.fill(row, 0);
    }
  }
}
