"""The loop closes: review 20 passages in the browser, train on them, evaluate, tag with the new model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from _review import ROOT, ReviewServer, chrome, small_corpus
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow


def _nktk(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "toolkit", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def _progress(driver: Any) -> str:
    return str(driver.find_element(By.ID, "progress").text)


def test_review_20_passages_then_train_evaluate_and_tag_with_the_result(tmp_path: Path) -> None:
    out = tmp_path / "my.jsonl"
    driver = chrome()
    try:
        with ReviewServer(["corpora/samples/"], out) as server:
            driver.get(server.url)
            WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "main").is_displayed())
            body = driver.find_element(By.TAG_NAME, "body")
            for n in range(20):
                if n % 4 == 0:
                    body.send_keys("3")  # the reviewer disagrees about pull on every fourth passage
                body.send_keys(Keys.ENTER)
                WebDriverWait(driver, 10).until(lambda d, n=n: _progress(d).startswith(f"{n + 1} / "))
            agreement = _progress(driver)
            assert server.stop() == 0
    finally:
        driver.quit()
    saved = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(saved) == 20 and len({r["id"] for r in saved}) == 20
    flipped = sum(("pull" in r["labels"]) != ("pull" in r["meta"]["model"]["labels"]) for r in saved)
    assert flipped == 5 and "agreement with the model" in agreement
    assert {r["lang"] for r in saved} == {"en", "ko"}

    base = tmp_path / "base"
    records = small_corpus(base)
    model = tmp_path / "model"
    train = _nktk("train", "--corpus", str(base), "--corpus", str(out), "--fast", "--out", str(model))
    assert train.returncode == 0, train.stderr
    card = json.loads((model / "factors.card.json").read_text(encoding="utf-8"))
    assert sum(card["corpus"]["records"].values()) == records
    [reviewed] = card["reviewed"]
    assert reviewed["records"] == 20 and reviewed["weight"] == 3

    evaluate = _nktk("evaluate", str(out), "--json")
    assert evaluate.returncode == 0, evaluate.stderr
    report = json.loads(evaluate.stdout)
    assert report["compared"] == "model at review time" and report["passages"] == 20
    assert report["agreement"]["pull"]["agreement"] == pytest.approx(15 / 20)
    assert report["agreement"]["economic"]["agreement"] == 1.0
    assert report["scores"]["all"]["entities"]["strict"]["micro"]["f1"] == 1.0  # no entity was changed

    tag = _nktk("tag", "corpora/samples/en-border-towns.txt", "--model", str(model))
    assert tag.returncode == 0, tag.stderr
    assert json.loads(tag.stdout)["passages"]
