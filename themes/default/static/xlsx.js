/* normbok default theme: the reader's filtered selection as a spreadsheet, written in the
   browser (works from file://, no network). An .xlsx file is a zip of a few XML parts; this
   writes the same sheet as the static export/requirements.xlsx (same columns and labels,
   autofilter, frozen header, wrapped statements, each ID a link to its permalink) from the
   CSV lines the page embeds and the labels in #nb-req-list[data-xlsx]. Entries are stored
   uncompressed: a selection is small, and that keeps this file small. */
(function (global) {
  "use strict";

  // ---- CSV lines of the static export (RFC 4180 quoting) → fields
  function parseCsvLine(line) {
    var out = [], cur = "", i = 0, quoted = false;
    for (; i < line.length; i++) {
      var ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
        else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") { out.push(cur); cur = ""; }
      else cur += ch;
    }
    out.push(cur);
    return out;
  }

  // ---- XML
  function esc(s) {
    // Control characters other than tab/newline are not allowed in XML 1.0.
    return String(s).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function colName(c) {
    var s = "";
    for (c += 1; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
    return s;
  }
  var NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
  var HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
  var REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";

  // Styles: 0 default, 1 header, 2 wrapped, 3 top, 4 centred, 5 link.
  var STYLES = HEAD + "<styleSheet " + NS + ">" +
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font>' +
    '<font><u/><sz val="11"/><color rgb="FF0B5CAD"/><name val="Calibri"/></font></fonts>' +
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' +
    '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF4"/><bgColor indexed="64"/></patternFill></fill></fills>' +
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border><border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6">' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top"/></xf>' +
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment horizontal="center" vertical="top"/></xf>' +
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="top"/></xf>' +
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>';

  /** The pick list: `meta` from data-xlsx, `lines` CSV lines, `base` the page URL. */
  function pickList(meta, lines, base) {
    var groups = meta.groups, ng = groups.length, ncols = meta.columns.length;
    var widths = [12, 28, 40, 13].concat(groups.map(function () { return 12; }), [14, 12, 80]);
    var rows = [meta.columns.map(function (c) { return { v: c, s: 1 }; })];
    var links = [];
    lines.forEach(function (line) {
      var f = parseCsvLine(line);
      var mine = (f[4] || "").split(";");
      var url = new URL(meta.permalinks + f[0] + ".html", base).href;
      links.push(url);
      rows.push([{ v: f[0], s: 5 }, { v: meta.chapters[f[1]] || f[1], s: 2 }, { v: f[2], s: 2 }, { v: meta.obligations[f[3]] || f[3], s: 3 }]
        .concat(groups.map(function (g) { return { v: mine.indexOf(g) >= 0 ? meta.mark : "", s: 4 }; }),
          [{ v: meta.statuses[f[5]] || f[5], s: 3 }, { v: f[6], s: 3 }, { v: f[7], s: 2 }]));
    });
    var last = colName(ncols - 1) + rows.length;
    var data = rows.map(function (cells, r) {
      return '<row r="' + (r + 1) + '">' + cells.map(function (cell, c) {
        if (cell.v === "" || cell.v === undefined) return "";
        var sp = /^\s|\s$/.test(cell.v) ? ' xml:space="preserve"' : "";
        return '<c r="' + colName(c) + (r + 1) + '" s="' + cell.s + '" t="inlineStr"><is><t' + sp + ">" + esc(cell.v) + "</t></is></c>";
      }).join("") + "</row>";
    }).join("");
    var sheet = HEAD + "<worksheet " + NS + '><dimension ref="A1:' + last + '"/>' +
      '<sheetViews><sheetView tabSelected="1" workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
      '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/><cols>' +
      widths.map(function (w, i) { return '<col min="' + (i + 1) + '" max="' + (i + 1) + '" width="' + (w + 0.7109375) + '" customWidth="1"/>'; }).join("") +
      "</cols><sheetData>" + data + '</sheetData><autoFilter ref="A1:' + last + '"/>' +
      (links.length ? "<hyperlinks>" + links.map(function (u, i) { return '<hyperlink ref="A' + (i + 2) + '" r:id="rId' + (i + 1) + '"/>'; }).join("") + "</hyperlinks>" : "") +
      '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>';
    var sheetRels = HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      links.map(function (u, i) { return '<Relationship Id="rId' + (i + 1) + '" Type="' + REL + 'hyperlink" Target="' + esc(u) + '" TargetMode="External"/>'; }).join("") +
      "</Relationships>";
    var name = esc(meta.sheet.replace(/[\[\]:*?\/\\']/g, "").slice(0, 31) || "Sheet1");
    var workbook = HEAD + "<workbook " + NS + '><bookViews><workbookView/></bookViews><sheets><sheet name="' + name + '" sheetId="1" r:id="rId1"/></sheets>' +
      '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">\'' + name + "'!$A$1:$" + colName(ncols - 1) + "$" + rows.length + "</definedName></definedNames></workbook>";
    var files = [
      ["[Content_Types].xml", HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'],
      ["_rels/.rels", HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + 'officeDocument" Target="xl/workbook.xml"/></Relationships>'],
      ["xl/workbook.xml", workbook],
      ["xl/_rels/workbook.xml.rels", HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="' + REL + 'worksheet" Target="worksheets/sheet1.xml"/>' +
        '<Relationship Id="rId2" Type="' + REL + 'styles" Target="styles.xml"/></Relationships>'],
      ["xl/styles.xml", STYLES],
      ["xl/worksheets/sheet1.xml", sheet],
      ["xl/worksheets/_rels/sheet1.xml.rels", sheetRels],
    ];
    return zip(files);
  }

  // ---- a zip of stored entries
  var CRC = (function () {
    var t = [];
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    return t;
  })();
  function crc32(b) {
    var c = 0xffffffff;
    for (var i = 0; i < b.length; i++) c = CRC[(c ^ b[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }
  function zip(files) {
    var enc = new TextEncoder(), parts = [], central = [], offset = 0;
    function header(sig, size) { var v = new DataView(new ArrayBuffer(size)); v.setUint32(0, sig, true); return v; }
    files.forEach(function (f) {
      var name = enc.encode(f[0]), data = enc.encode(f[1]), crc = crc32(data);
      // Local header: version 2.0, no flags, stored, DOS date 1980-01-01 00:00.
      var l = header(0x04034b50, 30);
      l.setUint16(4, 20, true); l.setUint16(12, 0x21, true);
      l.setUint32(14, crc, true); l.setUint32(18, data.length, true); l.setUint32(22, data.length, true);
      l.setUint16(26, name.length, true);
      var c = header(0x02014b50, 46);
      c.setUint16(4, 20, true); c.setUint16(6, 20, true); c.setUint16(14, 0x21, true);
      c.setUint32(16, crc, true); c.setUint32(20, data.length, true); c.setUint32(24, data.length, true);
      c.setUint16(28, name.length, true); c.setUint32(42, offset, true);
      parts.push(new Uint8Array(l.buffer), name, data);
      central.push(new Uint8Array(c.buffer), name);
      offset += 30 + name.length + data.length;
    });
    var size = central.reduce(function (n, p) { return n + p.length; }, 0);
    var e = header(0x06054b50, 22);
    e.setUint16(8, files.length, true); e.setUint16(10, files.length, true);
    e.setUint32(12, size, true); e.setUint32(16, offset, true);
    return new Blob(parts.concat(central, [new Uint8Array(e.buffer)]), { type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" });
  }

  global.normbokXlsx = { pickList: pickList, parseCsvLine: parseCsvLine };
})(typeof globalThis !== "undefined" ? globalThis : this);
