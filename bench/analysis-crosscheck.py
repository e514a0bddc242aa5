#!/usr/bin/python3
"""Python cross-check of the analysis protocol (issue #4) with xgboost + scikit-learn.

Run with Debian's interpreter (python3-xgboost 1.7.4, python3-sklearn 1.2.1):
    /usr/bin/python3 bench/analysis-crosscheck.py [--data unrolled.csv] [--folds-json folds.json]

Same protocol as src/analysis (models.ts, data.ts):
- unrolled.csv, duplicate settings (model, dataset, pruning, sparsity, seed) removed (first kept);
- features: the 16 MGE topometrics; empty cells are NaN (missing for XGBoost);
- accuracy drop = best accuracy among all runs of the same model and dataset - accuracy;
- classification: XGBClassifier 200 trees, depth 6, learning rate 0.1, tree_method hist, 1 thread,
  StratifiedKFold(5, shuffle=True, random_state=0); balanced accuracy, accuracy, macro F1;
- regression: XGBRegressor 300 trees, depth 6, learning rate 0.05, KFold(5, shuffle=True,
  random_state=0); R2, MAE, RMSE.
With --folds-json (written by bench/analysis.ts) the TypeScript fold ids are used instead
(PredefinedSplit), after checking that the rows are in the same order, so the comparison is tight.
Prints one JSON object.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import KFold, PredefinedSplit, StratifiedKFold, cross_val_predict
from xgboost import XGBClassifier, XGBRegressor

MGE = [
    "sink_nodes", "source_nodes", "disc_nodes", "r-out", "r-in", "1-hop_nei", "2-hop_nei", "motif",
    "avg_node_strength", "k-core", "cut-edges", "cut-nodes", "no_connected_components",
    "mean_connected_components", "spectral_gap", "spectral_radius",
]
CATEGORY = {"snip": "PaI", "grasp": "PaI", "synflow": "PaI", "prospr": "PaI", "uniform": "random", "er": "random",
            "erk": "random", "snfs": "DST", "rigl": "DST", "dsr": "DST", "itop": "DST"}


def num(s):
    s = s.strip()
    return float("nan") if s in ("", "nan", "NaN") else float(s)


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    seen, keep = set(), []
    for r in rows:
        r["pruning"] = r["pruning"].lower()
        key = (r["model"], r["dataset"], r["pruning"], float(r["sparsity"]), float(r["seed"]))
        if key in seen:
            continue
        seen.add(key)
        keep.append(r)
    best = {}
    for r in keep:
        k = (r["model"], r["dataset"])
        best[k] = max(best.get(k, -1.0), float(r["accuracy"]))
    x = np.array([[num(r[m]) for m in MGE] for r in keep], dtype=np.float32)
    drop = np.array([best[(r["model"], r["dataset"])] - float(r["accuracy"]) for r in keep])
    keys = ["%s|%s|%s|%s|%s" % (r["model"], r["dataset"], r["pruning"], js_num(r["sparsity"]), js_num(r["seed"])) for r in keep]
    return keep, x, drop, keys, len(rows) - len(keep)


def js_num(s):
    """The key format of src/analysis/data.ts (JavaScript's number-to-string)."""
    v = float(s)
    return str(int(v)) if v.is_integer() else repr(v)


def classify(x, labels, cv):
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    clf = XGBClassifier(n_estimators=200, max_depth=6, learning_rate=0.1, tree_method="hist", n_jobs=1, random_state=0)
    pred = cross_val_predict(clf, x, y, cv=cv)
    return {
        "balanced_accuracy": balanced_accuracy_score(y, pred),
        "accuracy": accuracy_score(y, pred),
        "macro_f1": f1_score(y, pred, average="macro"),
    }, y


def regress(x, y, cv):
    reg = XGBRegressor(n_estimators=300, max_depth=6, learning_rate=0.05, tree_method="hist", n_jobs=1, random_state=0)
    pred = cross_val_predict(reg, x, y, cv=cv)
    return {"r2": r2_score(y, pred), "mae": mean_absolute_error(y, pred), "rmse": float(np.sqrt(mean_squared_error(y, pred)))}


def main():
    # The same search order as src/io/paths.ts: SNN_PAPER_DATA, the cache data/paper-data/, ../shared/paper-data.
    here = os.path.dirname(os.path.abspath(__file__))
    places = [os.environ["SNN_PAPER_DATA"]] if os.environ.get("SNN_PAPER_DATA") else [
        os.path.join(here, "..", "data", "paper-data"), os.path.join(here, "..", "..", "shared", "paper-data")]
    found = next((p for p in places if os.path.isdir(p)), places[0])
    default = os.path.join(found, "graph_metrics", "unrolled", "unrolled.csv")
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=default)
    ap.add_argument("--folds-json", default=None)
    args = ap.parse_args()
    t0 = time.time()
    rows, x, drop, keys, dups = load(args.data)
    algo = [r["pruning"] for r in rows]
    cat = [CATEGORY[a] for a in algo]
    out = {"rows": len(rows), "duplicates_removed": dups, "xgboost": __import__("xgboost").__version__,
           "sklearn": __import__("sklearn").__version__}
    if args.folds_json:
        with open(args.folds_json) as f:
            folds = json.load(f)
        if folds["keys"] != keys:
            bad = next(i for i, (a, b) in enumerate(zip(folds["keys"], keys)) if a != b) if len(folds["keys"]) == len(keys) else -1
            sys.exit("analysis-crosscheck: the TypeScript rows are not in the same order (first difference at %d)" % bad)
        cv_alg = PredefinedSplit(np.array(folds["classify-algorithm"]))
        cv_cat = PredefinedSplit(np.array(folds["classify-category"]))
        cv_reg = PredefinedSplit(np.array(folds["regress-drop"]))
        out["folds"] = "typescript"
    else:
        cv_alg = StratifiedKFold(5, shuffle=True, random_state=0)
        cv_cat = StratifiedKFold(5, shuffle=True, random_state=0)
        cv_reg = KFold(5, shuffle=True, random_state=0)
        out["folds"] = "sklearn"
    out["classify-algorithm"], _ = classify(x, algo, cv_alg)
    out["classify-category"], _ = classify(x, cat, cv_cat)
    out["regress-drop"] = regress(x, drop, cv_reg)
    # TreeSHAP of a regressor fitted on all rows: mean |contribution| per MGE metric.
    import xgboost as xgb
    reg = XGBRegressor(n_estimators=300, max_depth=6, learning_rate=0.05, tree_method="hist", n_jobs=1, random_state=0).fit(x, drop)
    contrib = reg.get_booster().predict(xgb.DMatrix(x, missing=np.nan), pred_contribs=True)
    out["shap-mean-abs"] = dict(zip(MGE, np.abs(contrib[:, :-1]).mean(axis=0).tolist()))
    out["shap-sum-max-error"] = float(np.abs(contrib.sum(axis=1) - reg.get_booster().predict(xgb.DMatrix(x, missing=np.nan), output_margin=True)).max())
    out["seconds"] = time.time() - t0
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
