"""JUnit XML, for CI systems that show test reports (GitLab `reports: junit`, Azure
PublishTestResults, Jenkins): one `<testsuite>` per file, one failing `<testcase>` per finding.

    <testsuites name="offramp" tests="1" failures="1" errors="0">
      <testsuite name="pkg/app.py" tests="1" failures="1" errors="0" skipped="0">
        <testcase name="OFR101" classname="pkg/app.py" file="pkg/app.py" line="3" column="10">
          <failure message="..." type="OFR101">pkg/app.py:3:10: OFR101 ...</failure>

A run without findings is one passing test case, so the report is never empty. Built with
ElementTree (escaping is its job); characters XML 1.0 cannot carry are written as escapes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby
from typing import List

from offramp.report import ReportContext, file_position, one_line, printable
from offramp.types import Finding

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), printable(text))


def render(findings: List[Finding], ctx: ReportContext) -> str:
    n = len(findings)
    root = ET.Element("testsuites", name="offramp", tests=str(max(n, 1)), failures=str(n), errors="0")
    for path, group in groupby(sorted(findings, key=Finding.sort_key), key=lambda f: f.path):
        items = list(group)
        name = xml_text(path)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=name,
            tests=str(len(items)),
            failures=str(len(items)),
            errors="0",
            skipped="0",
        )
        for f in items:
            span, text = file_position(f)
            case = ET.SubElement(
                suite,
                "testcase",
                name=f.code,
                classname=name,
                file=name,
                line=str(span.line),
                column=str(span.column),
            )
            message = xml_text(text)
            failure = ET.SubElement(case, "failure", message=message, type=f.code)
            # the location starts a one-line summary: a line break in a file name must not forge a second one
            failure.text = f"{xml_text(one_line(f.location))}: {f.code} {xml_text(f.message)}"
    if not findings:
        suite = ET.SubElement(root, "testsuite", name="offramp", tests="1", failures="0", errors="0", skipped="0")
        ET.SubElement(suite, "testcase", name="offramp check", classname="offramp")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
