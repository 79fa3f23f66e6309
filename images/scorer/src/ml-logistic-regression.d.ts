// Types for ml-logistic-regression 2.x, which ships none: the part of its API the scorer uses.
declare module "ml-logistic-regression" {
  import { Matrix } from "ml-matrix";

  export default class LogisticRegression {
    constructor(options?: { numSteps?: number; learningRate?: number });
    /** X: one row per sample; Y: a column vector of class indexes 0..k-1. */
    train(X: Matrix, Y: Matrix): void;
    /** The class index of each row of X. */
    predict(X: Matrix): number[];
  }
}
