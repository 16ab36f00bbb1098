"""Add up the JUnit files of the test passes into one closing line."""

import sys
import xml.etree.ElementTree as ET


def main(paths: list[str]) -> None:
    tests = failures = errors = skipped = 0
    passes = []
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            continue
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for suite in suites:
            tests += int(suite.get("tests", 0))
            failures += int(suite.get("failures", 0))
            errors += int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
        passes.append(path.rsplit("/", 1)[-1].removesuffix(".xml"))
    passed = tests - failures - errors - skipped
    print(f"passes run: {', '.join(passes) or 'none'}")
    print(f"total: {passed} passed, {failures + errors} failed, {skipped} skipped")


if __name__ == "__main__":
    main(sys.argv[1:])
