"""``nktk review`` in a real browser: Debian's Chromium driven by Selenium through the system ChromeDriver.

Nothing is downloaded: without Chromium these tests fail with the command that
installs it (CI installs it in ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _review import ROOT, ReviewServer, chrome
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow

EN = "corpora/samples/en-blog-saved-page.txt"
KO = "corpora/samples/ko-portal-saved-page.txt"
FACTORS = ("structural", "economic", "pull", "network")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = chrome()
    yield driver
    driver.quit()


def _open(driver: Any, server: ReviewServer) -> None:
    driver.get(server.url)
    WebDriverWait(driver, 15).until(lambda d: d.find_element(By.ID, "main").is_displayed()
                                    or d.find_element(By.ID, "done").is_displayed())


def _press(driver: Any, key: str) -> None:
    driver.find_element(By.TAG_NAME, "body").send_keys(key)


def _progress(driver: Any) -> str:
    return str(driver.find_element(By.ID, "progress").text)


def _wait_reviewed(driver: Any, n: int) -> None:
    WebDriverWait(driver, 10).until(lambda d: _progress(d).startswith(f"{n} / "))


def _state(server: ReviewServer) -> dict[str, Any]:
    return dict(httpx.get(server.base + "/api/state", headers=server.headers()).json())


def _lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines() if x.strip()]


def _pressed(driver: Any, factor: str) -> bool:
    return driver.find_element(By.CSS_SELECTOR, f'.factor[data-factor="{factor}"]').get_attribute(
        "aria-pressed") == "true"


def _screenshot(driver: Any, name: str, tmp_path: Path) -> Path:
    """Screenshots go to $NKTK_SCREENSHOTS (the README's come from there) or the test's folder."""
    folder = Path(os.environ.get("NKTK_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    return path


def _select(driver: Any, text: str) -> None:
    """Select ``text`` inside the passage as a reader's drag would, and let go of the mouse there."""
    driver.execute_script("""
        const box = document.getElementById('passage');
        const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const i = node.data.indexOf(arguments[0]);
          if (i < 0) continue;
          const range = document.createRange();
          range.setStart(node, i); range.setEnd(node, i + arguments[0].length);
          const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
          node.parentElement.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
          return;
        }
        throw new Error('not in the passage: ' + arguments[0]);
    """, text)


def test_keyboard_flow_toggle_save_skip_undo_help_and_resume(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "my.jsonl"
    with ReviewServer([EN, KO], out) as server:
        _open(browser, server)
        first = _state(server)["item"]
        assert browser.find_element(By.ID, "title").text == first["title"]
        assert browser.find_element(By.ID, "passage").text.startswith(first["text"][:40])
        assert [_pressed(browser, f) for f in FACTORS] == [f in first["model"]["labels"] for f in FACTORS]
        _press(browser, "2")  # economic, flipped from the model's answer
        assert _pressed(browser, "economic") != ("economic" in first["model"]["labels"])
        _press(browser, Keys.ENTER)
        _wait_reviewed(browser, 1)
        [saved] = _lines(out)
        expected = set(first["model"]["labels"]) ^ {"economic"}
        assert saved["id"] == first["id"] and set(saved["labels"]) == expected
        assert saved["meta"]["model"]["labels"] == first["model"]["labels"]

        second = _state(server)["item"]
        _press(browser, "x")  # skip: no record, the next passage
        WebDriverWait(browser, 10).until(lambda d: "skipped" in _progress(d))
        assert _state(server)["item"]["id"] not in (first["id"], second["id"]) and len(_lines(out)) == 1

        _press(browser, "u")  # undo the save: a retraction, and the passage back as it was saved
        _wait_reviewed(browser, 0)
        assert _lines(out)[-1]["retract"] is True and _lines(out)[-1]["id"] == first["id"]
        assert "brought back by undo" in browser.find_element(By.ID, "position").text
        assert _pressed(browser, "economic") == ("economic" in expected)

        _press(browser, "?")
        assert browser.find_element(By.ID, "help").is_displayed()
        _press(browser, Keys.ESCAPE)
        assert not browser.find_element(By.ID, "help").is_displayed()

        _press(browser, Keys.ENTER)  # saved again, as shown
        _wait_reviewed(browser, 1)
        assert len(_lines(out)) == 3 and set(_lines(out)[-1]["labels"]) == expected
        assert server.stop() == 0

    with ReviewServer([EN, KO], out) as again:  # a restart resumes: the reviewed passage does not come back
        _open(browser, again)
        assert _progress(browser).startswith("1 / ")
        assert _state(again)["item"]["id"] == second["id"]
        logs = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert logs == [], logs  # no script error, no refused resource


def test_entities_click_to_remove_select_to_add_with_a_canonical_name_searched_in_either_language(
        browser: Any, tmp_path: Path) -> None:
    article = tmp_path / "testimony.txt"
    article.write_text("그녀는 함북 출신으로 2011년에 두만강을 건넜고, 브로커에게 돈을 치렀다.\n", encoding="utf-8")
    out = tmp_path / "my.jsonl"
    with ReviewServer([str(article)], out) as server:
        _open(browser, server)
        item = _state(server)["item"]
        assert {e["text"] for e in item["entities"]} >= {"함북"}
        browser.find_element(By.CSS_SELECTOR, "#passage mark.PROVINCE").click()  # click an entity: edit it
        assert browser.find_element(By.ID, "editor").is_displayed()
        assert browser.find_element(By.ID, "editor-id").text == "KP-09"
        browser.find_element(By.ID, "editor-remove").click()
        assert "함북" not in [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#passage mark")]

        _select(browser, "함북")  # select text: add an entity
        box = browser.find_element(By.ID, "editor-canonical")
        assert browser.find_element(By.ID, "editor").is_displayed()
        box.clear()
        box.send_keys("Hamgyŏng-pukto")  # the McCune-Reischauer spelling finds the same entry
        results = browser.find_element(By.ID, "editor-results")
        WebDriverWait(browser, 5).until(  # the list answers what was typed, not the search made on opening
            lambda d: results.get_attribute("data-query") == "Hamgyŏng-pukto")
        first = results.find_element(By.TAG_NAME, "li")
        assert "North Hamgyong" in first.text
        first.click()
        browser.find_element(By.ID, "editor-ok").click()
        _press(browser, Keys.ENTER)
        _wait_reviewed(browser, 1)
    [saved] = _lines(out)
    start = saved["text"].index("함북")
    assert {"start": start, "end": start + 2, "text": "함북", "label": "PROVINCE", "canonical": "North Hamgyong",
            "id": "KP-09"} in saved["entities"]
    assert saved["lang"] == "ko"


def test_article_text_is_shown_as_text_never_run(browser: Any, tmp_path: Path) -> None:
    article = tmp_path / "hostile.txt"
    hostile = ('Smugglers in Hyesan said <img src=x onerror="document.title=\'pwned\'"> prices rose; '
               "<script>document.title='pwned'</script> the market stayed open.")
    article.write_text(hostile + "\n", encoding="utf-8")
    with ReviewServer([str(article)], tmp_path / "my.jsonl") as server:
        _open(browser, server)
        passage = browser.find_element(By.ID, "passage")
        assert "<script>" in passage.text and "<img src=x" in passage.text
        assert passage.find_elements(By.TAG_NAME, "img") == [] and passage.find_elements(By.TAG_NAME, "script") == []
        assert browser.title == "nktk review"
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018


def test_the_api_refuses_the_browser_without_the_token_or_with_bad_bodies(browser: Any, tmp_path: Path) -> None:
    with ReviewServer([EN], tmp_path / "my.jsonl") as server:
        _open(browser, server)
        item = _state(server)["item"]
        script = """
            const done = arguments[arguments.length - 1];
            const [path, init] = [arguments[0], arguments[1]];
            fetch(path, init).then(async r => done([r.status, await r.text()])).catch(e => done([0, String(e)]));
        """
        status, _ = browser.execute_async_script(script, "/api/state", {})
        assert status == 403
        status, body = browser.execute_async_script(script, "/api/save", {
            "method": "POST", "headers": {"X-Nktk-Token": server.token, "Content-Type": "application/json"},
            "body": json.dumps({"id": item["id"], "labels": ["famine"]})})
        assert status == 400 and "unknown factor label" in json.loads(body)["error"]
        status, body = browser.execute_async_script(script, "/api/save", {
            "method": "POST", "headers": {"X-Nktk-Token": server.token, "Content-Type": "text/plain"},
            "body": "{}"})
        assert status == 400 and "Content-Type" in json.loads(body)["error"]
        status, body = browser.execute_async_script(script, "/api/save", {
            "method": "POST", "headers": {"X-Nktk-Token": server.token, "Content-Type": "application/json"},
            "body": json.dumps({"id": item["id"], "labels": [],
                                "entities": [{"start": 5, "end": 10 ** 6, "label": "LOC"}]})})
        assert status == 400 and "outside the passage" in json.loads(body)["error"]
        assert (tmp_path / "my.jsonl").read_text() == ""


def test_screenshots_of_an_english_and_a_korean_passage_in_context_for_the_readme(browser: Any,
                                                                                  tmp_path: Path) -> None:
    with ReviewServer([EN], tmp_path / "en.jsonl") as server:
        _open(browser, server)
        _press(browser, "x")  # to Mi-ok's story: a passage with a heading above it and entities in it
        WebDriverWait(browser, 10).until(lambda d: "Hoeryong" in d.find_element(By.ID, "passage").text)
        assert browser.find_element(By.ID, "before").text == "Mi-ok's story"
        assert "Hoeryong" in {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#passage mark")}
        assert browser.find_elements(By.CSS_SELECTOR, "#passage .ev.economic")  # evidence marked
        assert _screenshot(browser, "review-en.png", tmp_path).stat().st_size > 20_000
        assert server.stop(signal.SIGINT) == 0
    with ReviewServer([KO], tmp_path / "ko.jsonl") as server:
        _open(browser, server)
        item = _state(server)["item"]
        assert browser.find_element(By.ID, "title").text.startswith("中, 지린성")
        assert browser.find_element(By.ID, "after").text  # the next paragraph, greyed
        assert "지린성" in {m.text for m in browser.find_elements(By.CSS_SELECTOR, "#passage mark.PROVINCE")}
        assert browser.find_element(By.ID, "passage").get_attribute("lang") == item["lang"] == "ko"
        assert _screenshot(browser, "review-ko.png", tmp_path).stat().st_size > 20_000
    assert ROOT.exists()
