"""What can be checked of the Android demo without an Android SDK or NDK: its JNI glue
driven from a real JVM (host build, scripted inference), ``edgeocr android prepare``, the
app's CMake project configuring against the prepared layout, and the project's files
(well-formed XML, resources and native methods that the Java code uses, Gradle paths)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from edgeocr.targets import load_target
from edgeocr.runner.android import BUNDLE_ASSETS, PROJECT, prepare
from edgeocr.runner.native_build import REPO, NativeBuildError

JAVA_DIR = PROJECT / "app" / "src" / "main" / "java" / "com" / "edgeocr" / "demo"
RES_DIR = PROJECT / "app" / "src" / "main" / "res"
MANIFEST = PROJECT / "app" / "src" / "main" / "AndroidManifest.xml"
ANDROID_NS = "{http://schemas.android.com/apk/res/android}"

JVM_HARNESS = """
import com.edgeocr.demo.OcrEngine;
import com.edgeocr.demo.OcrException;

public class JniHarness {
    public static void main(String[] args) throws Exception {
        int w = 160, h = 64;
        int[] argb = new int[w * h];
        java.util.Arrays.fill(argb, 0xFF336699);
        try (OcrEngine engine = OcrEngine.open(args[0], 2, "high", 960, "det_cls_rec")) {
            System.out.println(engine.run(argb, w, h, 0.5f));
            System.out.println(engine.runtimeVersion());
        }
        String[][] bad = {{args[1], "det_rec", "960"}, {args[0], "sideways", "960"}, {args[0], "det_rec", "8"}};
        for (String[] b : bad) {
            try {
                OcrEngine.open(b[0], 2, "high", Integer.parseInt(b[2]), b[1]).close();
                System.out.println("no error");
            } catch (OcrException e) {
                System.out.println("OcrException: " + e.getMessage());
            }
        }
    }
}
"""


def test_jni_glue_runs_in_a_jvm(native_build, x86_bundle, tmp_path):
    """The app's OcrEngine.java, compiled here, calls every native method of the glue."""
    classes = tmp_path / "classes"
    (tmp_path / "JniHarness.java").write_text(JVM_HARNESS, encoding="utf-8")
    subprocess.run(["javac", "-d", str(classes), str(JAVA_DIR / "OcrEngine.java"), str(JAVA_DIR / "OcrException.java"),
                    str(tmp_path / "JniHarness.java")], check=True, timeout=300)
    proc = subprocess.run(["java", f"-Djava.library.path={native_build / 'tests'}", "-cp", str(classes), "JniHarness",
                           str(x86_bundle), str(tmp_path / "no_bundle")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip().splitlines()
    result = json.loads(out[0])
    assert len(result["lines"]) == 2 and all(line["score"] >= 0.5 for line in result["lines"])
    assert set(result["timings_ms"]) == {"det_pre", "det_infer", "det_post", "cls", "rec", "total"}
    converter = json.loads((x86_bundle / "manifest.json").read_text())["converter"]["version"]
    assert out[1] == converter
    assert out[2].startswith("OcrException: ") and "manifest.json: missing from bundle" in out[2]
    assert out[3] == 'OcrException: unknown run mode "sideways"'
    assert out[4].startswith("OcrException: ") and "det_limit_side_len" in out[4]


def android_release(root: Path, version: str) -> Path:
    """A Paddle-Lite Android-style release: an aarch64 library needing the NDK's libc++_shared.so
    (both built here with the aarch64 cross compiler) and carrying ``version`` as its tag."""
    lib = root / "cxx" / "lib"
    lib.mkdir(parents=True)
    (root / "cxx" / "include").mkdir()
    (root / "cxx" / "include" / "paddle_api.h").write_text("// header\n")
    (root / "cxx" / "include" / "paddle_place.h").write_text("// header\n")
    (root / "stub.c").write_text("int stub;\n")
    subprocess.run(["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-Wl,-soname,libc++_shared.so", "-o",
                    str(root / "libc++_shared.so"), str(root / "stub.c")], check=True, timeout=120)
    (root / "tag.c").write_text('__attribute__((used)) const char tag[] = "\\0%s";  /* NUL-delimited, as in releases */\n'
                                'extern int stub;\n'
                                'int lite(void) { return stub; }\n' % version)
    subprocess.run(["aarch64-linux-gnu-gcc", "-shared", "-fPIC", "-o", str(lib / "libpaddle_light_api_shared.so"),
                    str(root / "tag.c"), f"-L{root}", "-l:libc++_shared.so"], check=True, timeout=120)
    return root


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The demo project copied beside a link to this repository's targets/ (the shared core)."""
    (tmp_path / "targets").symlink_to(REPO / "targets")
    return Path(shutil.copytree(PROJECT, tmp_path / "android_demo", ignore=shutil.ignore_patterns("build", ".gradle")))


def test_prepare_fills_the_project(arm_bundle, project_copy, tmp_path):
    target = load_target("arm64-v8a")
    release = android_release(tmp_path / "lite", target.runtime.version)
    assert prepare(arm_bundle, release, project_copy) == "arm64-v8a"
    app = project_copy / "app"
    manifest = json.loads((arm_bundle / "manifest.json").read_text())
    assert sorted(p.name for p in (project_copy / BUNDLE_ASSETS).iterdir()) == sorted([*manifest["files"], "manifest.json"])
    assert (app / "src/main/jniLibs/arm64-v8a/libpaddle_light_api_shared.so").is_file()
    assert (app / "paddle_lite/arm64-v8a/include/paddle_api.h").is_file()
    assert (app / "paddle_lite/arm64-v8a/lib/libpaddle_light_api_shared.so").is_file()
    assert (app / "third_party/clipper/clipper.cpp").is_file()

    # the app's CMake project finds everything prepare put there (host compiler, configure only)
    proc = subprocess.run(["cmake", "-S", str(app / "src/main/cpp"), "-B", str(tmp_path / "app_cmake"), "-DANDROID=ON",
                           "-DANDROID_ABI=arm64-v8a"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "edgeocr_jni" in (tmp_path / "app_cmake" / "Makefile").read_text() + "".join(
        p.read_text(errors="replace") for p in (tmp_path / "app_cmake").rglob("Makefile2"))


def test_prepare_refuses_wrong_bundle_or_library(arm_bundle, x86_bundle, project_copy, tmp_path):
    target = load_target("arm64-v8a")
    release = android_release(tmp_path / "lite", target.runtime.version)
    with pytest.raises(NativeBuildError, match="bundle is for x86_64, not Android"):
        prepare(x86_bundle, release, project_copy)
    old = android_release(tmp_path / "old", "v2.12")
    with pytest.raises(NativeBuildError, match="is Paddle-Lite v2.12, but arm64-v8a bundles"):
        prepare(arm_bundle, old, project_copy)
    assert not (project_copy / BUNDLE_ASSETS).exists()


def test_xml_files_are_well_formed_and_manifest_matches_code():
    xml_files = [MANIFEST, *RES_DIR.rglob("*.xml")]
    assert len(xml_files) >= 5
    for f in xml_files:
        ET.parse(f)  # raises on malformed XML
    manifest = ET.parse(MANIFEST).getroot()
    activity = manifest.find("application/activity")
    assert (JAVA_DIR / f"{activity.get(ANDROID_NS + 'name').lstrip('.')}.java").is_file()
    authority = manifest.find("application/provider").get(ANDROID_NS + "authorities")
    assert f'"{authority}"' in (JAVA_DIR / "MainActivity.java").read_text(encoding="utf-8")


def declared_resources() -> dict[str, set[str]]:
    """Resource names by kind: strings and arrays of values/, ids and names of layouts, xml files."""
    names: dict[str, set[str]] = {"string": set(), "array": set(), "id": set(), "layout": set(), "xml": set()}
    for f in (RES_DIR / "values").glob("*.xml"):
        for item in ET.parse(f).getroot():
            names["array" if item.tag == "string-array" else item.tag].add(item.get("name"))
    for f in (RES_DIR / "layout").glob("*.xml"):
        names["layout"].add(f.stem)
        names["id"] |= {e.get(ANDROID_NS + "id").split("/")[-1] for e in ET.parse(f).iter() if e.get(ANDROID_NS + "id")}
    names["xml"] = {f.stem for f in (RES_DIR / "xml").glob("*.xml")}
    return names


def test_resources_used_by_the_code_exist():
    names = declared_resources()
    used = set()
    for f in [*(RES_DIR / "layout").glob("*.xml"), MANIFEST]:
        used |= set(re.findall(r"@(string|array|xml)/(\w+)", f.read_text(encoding="utf-8")))
    for java in JAVA_DIR.glob("*.java"):
        text = java.read_text(encoding="utf-8")
        assert text.startswith("package com.edgeocr.demo;"), java
        used |= set(re.findall(r"\bR\.(string|array|id|layout|xml)\.(\w+)", text))
    missing = sorted((kind, name) for kind, name in used if name not in names[kind])
    assert len(used) > 20 and not missing


def test_gradle_and_cmake_point_at_the_shared_core():
    gradle = (PROJECT / "app" / "build.gradle").read_text(encoding="utf-8")
    assert re.search(r'applicationId "com\.edgeocr\.demo"', gradle) and 'namespace "com.edgeocr.demo"' in gradle
    cmake_path = re.search(r'path "([^"]+)"', gradle).group(1)
    app_cmake = PROJECT / "app" / cmake_path
    assert app_cmake.is_file()
    native = re.search(r'EDGEOCR_NATIVE_DIR "\$\{APP_DIR\}/([^"]+)"', app_cmake.read_text(encoding="utf-8")).group(1)
    assert (PROJECT / "app" / native).resolve() == (REPO / "targets" / "native").resolve()
    assert "include \":app\"" in (PROJECT / "settings.gradle").read_text(encoding="utf-8")
    # the library the Java code loads is the one the native build makes
    library = re.search(r'System\.loadLibrary\("(\w+)"\)', (JAVA_DIR / "OcrEngine.java").read_text()).group(1)
    assert f"add_library({library} SHARED" in (REPO / "targets/native/jni/CMakeLists.txt").read_text()
