package io.medpipe.training.model;

import io.medpipe.training.resampling.Resampling;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The validated hyper-parameters of one training run (the counterpart of Smile's {@code RandomForest.Options}).
 *
 * @param algorithm      which learner to fit
 * @param trees          number of trees, 1..5000
 * @param maxDepth       maximum tree depth, 2..100
 * @param maxNodes       maximum leaves per tree, 2..100000; the default 256 keeps TreeSHAP cheap, because its cost
 *                       grows with leaves x depth^2 (a default-deep forest explains a row in ~35 ms, see STACK-NOTES 17)
 * @param mtry           features tried at each split; 0 means floor(sqrt(number of features))
 * @param nodeSize       minimum rows in a leaf, at least 1
 * @param classWeighting how unequal class sizes are compensated
 * @param seed           seed of every random choice, so the same data and options give the same model
 * @param resampling     how the training rows are rebalanced before fitting (null = NONE, e.g. in a model saved before
 *                       this option existed)
 * @param costs          the cost matrix the class decision minimises (threshold moving); null = most probable class
 * @param shrinkage      gradient boosting's learning rate in (0, 1] (XGBoost's eta); 0 = {@link #DEFAULT_SHRINKAGE};
 *                       ignored by forests
 * @param mlp            the network's hyper-parameters, for {@link Algorithm#MLP} only (null there = {@link
 *                       MlpOptions#defaults()}); the tree parameters above are then unused
 */
public record TrainingOptions(Algorithm algorithm, int trees, int maxDepth, int maxNodes, int mtry, int nodeSize,
                              ClassWeighting classWeighting, long seed, Resampling resampling, CostMatrix costs,
                              double shrinkage, MlpOptions mlp)
    implements
      Serializable {

  public static final double DEFAULT_SHRINKAGE = 0.05;

  public static final int DEFAULT_TREES = 200;
  public static final int DEFAULT_MAX_DEPTH = 20;
  public static final int DEFAULT_MAX_NODES = 256;
  public static final int DEFAULT_NODE_SIZE = 2;

  public TrainingOptions {
    if (algorithm == null) {
      throw new IllegalArgumentException("algorithm is required");
    }
    if (trees < 1 || trees > 5000) {
      throw new IllegalArgumentException("trees must be in 1..5000, was " + trees);
    }
    if (maxDepth < 2 || maxDepth > 100) {
      throw new IllegalArgumentException("maxDepth must be in 2..100, was " + maxDepth);
    }
    if (maxNodes < 2 || maxNodes > 100_000) {
      throw new IllegalArgumentException("maxNodes must be in 2..100000, was " + maxNodes);
    }
    if (mtry < 0) {
      throw new IllegalArgumentException("mtry must be >= 0 (0 = floor(sqrt(features))), was " + mtry);
    }
    if (nodeSize < 1) {
      throw new IllegalArgumentException("nodeSize must be >= 1, was " + nodeSize);
    }
    if (classWeighting == null) {
      throw new IllegalArgumentException("classWeighting is required");
    }
    if (resampling == null) {
      resampling = Resampling.NONE;
    }
    if (shrinkage == 0) {
      shrinkage = DEFAULT_SHRINKAGE;
    }
    if (!(shrinkage > 0 && shrinkage <= 1)) {
      throw new IllegalArgumentException("shrinkage must be in (0, 1], was " + shrinkage);
    }
    if ((algorithm == Algorithm.XGBOOST || algorithm == Algorithm.FOREST) && resampling == Resampling.UNDERSAMPLE) {
      throw new IllegalArgumentException("undersampling to one small table leaves a model too few rows: use "
          + "classWeighting BALANCED (" + (algorithm == Algorithm.FOREST ? "a balanced bootstrap per tree"
              : "balanced row weights")
          + ") instead");
    }
    if (algorithm == Algorithm.GRADIENT_BOOSTING && classWeighting != ClassWeighting.NONE) {
      throw new IllegalArgumentException("gradient boosting in Smile has no class weights: use classWeighting NONE "
          + "with resampling or a cost matrix");
    }
    if (algorithm == Algorithm.MLP && mlp == null) {
      mlp = MlpOptions.defaults();
    }
    if (algorithm != Algorithm.MLP && mlp != null) {
      throw new IllegalArgumentException("mlp options apply to algorithm MLP only, not " + algorithm);
    }
  }

  /** Tree options without network parameters (every constructor call written before the MLP existed). */
  public TrainingOptions(Algorithm algorithm, int trees, int maxDepth, int maxNodes, int mtry, int nodeSize,
                         ClassWeighting classWeighting, long seed, Resampling resampling, CostMatrix costs,
                         double shrinkage) {
    this(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling, costs, shrinkage,
        null);
  }

  /** Options without resampling or cost matrix (the forest of the foundation). */
  public TrainingOptions(Algorithm algorithm, int trees, int maxDepth, int maxNodes, int mtry, int nodeSize,
                         ClassWeighting classWeighting, long seed) {
    this(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, Resampling.NONE, null, 0);
  }

  /** A balanced random forest with the defaults above. */
  public static TrainingOptions defaults(long seed) {
    return new TrainingOptions(Algorithm.RANDOM_FOREST, DEFAULT_TREES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, 0,
        DEFAULT_NODE_SIZE, ClassWeighting.BALANCED, seed);
  }

  public TrainingOptions withTrees(int trees) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  public TrainingOptions withClassWeighting(ClassWeighting classWeighting) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  public TrainingOptions withSeed(long seed) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  public TrainingOptions withResampling(Resampling resampling) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  public TrainingOptions withCosts(CostMatrix costs) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  public TrainingOptions withMaxNodes(int maxNodes) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  /**
   * Gradient tree boosting with Smile's usual shape (shallow trees, small learning rate) and no class weights, which
   * Smile's GradientTreeBoost does not have: pair it with resampling or a cost matrix.
   */
  public static TrainingOptions boosting(int trees, long seed) {
    return new TrainingOptions(Algorithm.GRADIENT_BOOSTING, trees, 20, 6, 0, 5, ClassWeighting.NONE, seed,
        Resampling.NONE, null, DEFAULT_SHRINKAGE);
  }

  /**
   * A multi-layer perceptron with balanced class weights in its loss. Its inputs are standardised and one-hot encoded
   * inside {@link MlpModel#fit}, from the training rows only.
   */
  public static TrainingOptions mlp(MlpOptions mlp, long seed) {
    return new TrainingOptions(Algorithm.MLP, DEFAULT_TREES, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, 0, DEFAULT_NODE_SIZE,
        ClassWeighting.BALANCED, seed, Resampling.NONE, null, 0, mlp);
  }

  /** XGBoost's rounds, depth and learning rate of {@link #xgboost}. */
  public static final int XGBOOST_ROUNDS = 200;
  public static final int XGBOOST_MAX_DEPTH = 6;
  public static final double XGBOOST_ETA = 0.1;

  /**
   * XGBoost histogram boosting: {@code rounds} trees per class of depth at most 6, learning rate 0.1, at least one
   * unit of hessian per leaf ({@code nodeSize}), with balanced row weights (n / (k n_c), scikit-learn's "balanced")
   * or none. The usual shape of the field's default boosting; the calibration afterwards maps its probabilities back
   * to the natural prevalence.
   */
  public static TrainingOptions xgboost(int rounds, long seed, ClassWeighting weighting) {
    return new TrainingOptions(Algorithm.XGBOOST, rounds, XGBOOST_MAX_DEPTH, DEFAULT_MAX_NODES, 0, 1, weighting, seed,
        Resampling.NONE, null, XGBOOST_ETA);
  }

  /** Leaves per tree of {@link #forest}: deep enough for leaf frequencies to mean something, bounded for TreeSHAP. */
  public static final int FOREST_MAX_NODES = 1024;

  /**
   * medpipe's raw-frequency random forest: deep trees (leaves of one row allowed, at most {@link #FOREST_MAX_NODES}
   * leaves), floor(sqrt(p)) features per split, the ordinary bootstrap ({@link ClassWeighting#NONE}) or a balanced
   * bootstrap per tree ({@link ClassWeighting#BALANCED}).
   */
  public static TrainingOptions forest(int trees, long seed, ClassWeighting weighting) {
    return new TrainingOptions(Algorithm.FOREST, trees, 64, FOREST_MAX_NODES, 0, 1, weighting, seed, Resampling.NONE,
        null, 0);
  }

  public TrainingOptions withMlp(MlpOptions mlp) {
    return new TrainingOptions(algorithm, trees, maxDepth, maxNodes, mtry, nodeSize, classWeighting, seed, resampling,
        costs, shrinkage, mlp);
  }

  /** A short readable name, e.g. "RF balanced + SMOTE + costs". */
  public String label() {
    StringBuilder s = new StringBuilder(switch (algorithm) {
      case RANDOM_FOREST -> "RF";
      case GRADIENT_BOOSTING -> "GBT";
      case XGBOOST -> "XGBoost";
      case FOREST -> "Forest";
      case MLP -> "MLP " + mlp.hidden().stream().map(String::valueOf).collect(java.util.stream.Collectors.joining("-"));
    });
    if (classWeighting == ClassWeighting.BALANCED) {
      s.append(switch (algorithm) {
        case FOREST -> " balanced bootstrap";
        case XGBOOST -> " balanced weights";
        default -> " balanced";
      });
    }
    if (mlp != null && mlp.transfer()) {
      s.append(switch (mlp.scheme()) {
        case FINE_TUNE -> " + transfer";
        case FROZEN -> " + transfer (frozen)";
        case STACK -> " + stacked base model";
      });
    }
    if (resampling != Resampling.NONE) {
      s.append(" + ").append(resampling == Resampling.SMOTE ? "SMOTE" : "undersampling");
    }
    if (costs != null) {
      s.append(" + cost matrix");
    }
    return s.toString();
  }

  /** The options as plain names and values, in declaration order, for provenance and model cards. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("algorithm", algorithm.name());
    if (algorithm == Algorithm.XGBOOST) {
      map.put("rounds", trees);
      map.put("maxDepth", maxDepth);
      map.put("minChildWeight", nodeSize);
    } else if (algorithm != Algorithm.MLP) {
      map.put("trees", trees);
      map.put("maxDepth", maxDepth);
      map.put("maxNodes", maxNodes);
      map.put("mtry", mtry);
      map.put("nodeSize", nodeSize);
    }
    map.put("classWeighting", classWeighting.name());
    map.put("seed", seed);
    map.put("resampling", resampling.name());
    map.put("costMatrix", costs == null ? "none (most probable class)" : costs.asList());
    if (algorithm == Algorithm.GRADIENT_BOOSTING) {
      map.put("shrinkage", shrinkage);
    }
    if (algorithm == Algorithm.XGBOOST) {
      map.put("eta", shrinkage);
    }
    if (algorithm == Algorithm.MLP) {
      map.put("mlp", Collections.unmodifiableMap(mlp.asMap()));
    }
    return Collections.unmodifiableMap(map);
  }
}
