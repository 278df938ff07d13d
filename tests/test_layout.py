"""The layout a newcomer relies on: every folder found from any working directory and from an
installed wheel on its own, one table per fact, the header schema documented, the layering held."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from kg import release_files
from kg.query.header import EXPECT, HEADER, PARAM
from kg.query.library import load_queries
from kg.settings import Settings, SettingsError

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


def test_import_contracts_hold() -> None:
    done = run([str(BIN / "lint-imports"), "--no-cache"], REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_commands_find_the_library_from_any_folder(tmp_path: Path) -> None:
    listed = run([str(BIN / "lbpkg"), "queries"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    names = [line.split()[0] for line in listed.stdout.splitlines() if line.strip()]
    assert sorted(names) == sorted(load_queries(REPO / "queries"))
    checked = run([str(BIN / "lbpkg"), "check"], tmp_path)
    assert checked.returncode == 0 and checked.stdout.startswith("ok:"), checked.stderr


def test_a_missing_folder_is_an_error_not_an_empty_answer(tmp_path: Path) -> None:
    env = {"LBPKG_QUERIES": str(tmp_path / "nowhere"), "LBPKG_ONTOLOGY": str(tmp_path / "nothing")}
    for args in (["queries"], ["query", "examples/term-labels"], ["check"]):
        done = run([str(BIN / "lbpkg"), *args], tmp_path, env)
        assert done.returncode == 1, (args, done.stdout)
        assert "does not exist" in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
    settings = Settings.from_env({"LBPKG_QUERIES": str(tmp_path / "nowhere")})
    with pytest.raises(SettingsError, match="LBPKG_QUERIES"):
        settings.require("queries")


def test_settings_follow_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({"LBPKG_BUILD": str(tmp_path / "b")})
    assert settings.release_dir == tmp_path / "b" / "release"
    assert settings.store_dir == tmp_path / "b" / "store"
    assert settings.queries_dir == REPO / "queries" and settings.ontology_dir == REPO / "ontology"
    assert Settings.from_env({"LBPKG_STORE": "sparql:http://127.0.0.1:1/sparql"}).store_spec.startswith("sparql:")


def test_release_file_names_are_rows_of_the_table() -> None:
    names = [value for key, value in vars(release_files).items()
             if key.isupper() and type(value) is str and not value.startswith("http")]
    names += [*release_files.ASSERTED_FILES, *release_files.INFERRED_FILES]
    assert len(names) > 10
    for name in names:
        if name.startswith("lbp-kg.sssom"):
            continue  # the stem of two rows
        assert name in release_files.BY_NAME, name
    assert {f"{release_files.SSSOM_STEM}.tsv", f"{release_files.SSSOM_STEM}.json"} <= set(release_files.BY_NAME)


def test_queries_readme_documents_every_header_key() -> None:
    text = (REPO / "queries" / "README.md").read_text(encoding="utf-8")
    for key in (*HEADER, *PARAM, *EXPECT):
        assert f"| `{key.name}`" in text, key.name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback only
        return resp.status, resp.read().decode("utf-8")


@pytest.mark.reasoner
@pytest.mark.slow
def test_an_installed_wheel_builds_queries_and_serves_on_its_own(tmp_path: Path) -> None:
    """The wheel alone, in a fresh venv, from a folder that is not the repository: it finds its
    ontology and query library inside itself and writes its build to the user's data folder."""
    wheels = tmp_path / "wheels"
    made = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
                str(REPO)], tmp_path)
    assert made.returncode == 0, made.stderr
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    py = venv / "bin" / "python"
    wheel = next(wheels.glob("lbp_kg-*.whl"))
    installed = run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr
    # The dependencies come from the test environment (a path entry, so its editable install of
    # this repository stays inactive); the package itself must come from the wheel.
    site = run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip()
    Path(site, "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = run([str(py), "-c", "import kg, lbp_kg_data.queries as q; print(kg.__file__)"], tmp_path)
    assert where.returncode == 0 and where.stdout.startswith(str(venv)), where.stdout + where.stderr

    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env = {k: v for k, v in env.items()} | {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    for key in ("LBPKG_ONTOLOGY", "LBPKG_QUERIES", "LBPKG_BUILD", "LBPKG_RELEASE", "LBPKG_STORE"):
        env[key] = ""
    lbpkg = str(venv / "bin" / "lbpkg")
    built = run([lbpkg, "build", "--quiet"], elsewhere, env)
    assert built.returncode == 0, built.stderr
    assert (home / "data" / "lbp-kg" / "release" / release_files.MANIFEST).is_file()
    answer = run([lbpkg, "query", "examples/term-labels", "-p", "term=lbp:Sciatica"], elsewhere, env)
    assert answer.returncode == 0 and "sciatica" in answer.stdout.lower(), answer.stderr

    port = _free_port()
    server = subprocess.Popen([lbpkg, "serve", "--port", str(port), "--query-workers", "1"], cwd=elsewhere,
                              env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = _get(base + "/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        assert status == 200
        status, page = _get(base + "/term/Sciatica")
        assert status == 200 and "Sciatica" in page
        status, editor = _get(base + "/editor")
        examples = load_queries(REPO / "queries" / "examples")
        assert status == 200 and all(q.title in editor for q in examples.values())
        status, ask = _get(base + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
        assert status == 200 and '"boolean": true' in ask.replace('"boolean":true', '"boolean": true')
    finally:
        server.terminate()
        server.wait(timeout=30)
