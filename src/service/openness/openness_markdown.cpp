// The openness report as Markdown. Every value from the report may come from user content
// (card, manifest, file names), so `<`, `>` and `&` are written as entities (the Markdown
// never carries HTML of its own), `\`, `[`, `]` and backquotes are backslash-escaped (no links
// or code spans from user content), and table cells also escape `|` and fold newlines.
#include <string>
#include <string_view>

#include "formats/card/card_values.hpp"
#include "service/openness/openness.hpp"

namespace vitrine::service {
namespace {

using nlohmann::json;

const json& empty_object() {
  static const json kEmpty = json::object();
  return kEmpty;
}

std::string escape_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\\':
      case '[':
      case ']':
      case '`':
        out.push_back('\\');
        out.push_back(c);
        break;
      default:
        out.push_back(c);
    }
  }
  return valid_utf8(out);
}

std::string escape_cell(std::string_view s) {
  std::string out;
  for (char c : escape_text(s)) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// A JSON value as one line of text: strings as they are, arrays joined with ", ".
std::string plain(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_array()) {
    std::string out;
    for (const auto& item : value) {
      std::string text = plain(item);
      if (text.empty()) continue;
      if (!out.empty()) out += ", ";
      out += text;
    }
    return out;
  }
  if (value.is_object()) {
    std::string out;
    for (const auto& [key, item] : value.items()) {
      std::string text = plain(item);
      if (text.empty()) continue;
      if (!out.empty()) out += ", ";
      out += key + ": " + text;
    }
    return out;
  }
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  return value.dump();
}

std::string cell(const json& value) {
  std::string text = plain(value);
  return text.empty() ? "–" : escape_cell(text);
}

}  // namespace

std::string openness_markdown(const nlohmann::json& report) {
  std::string md;
  md += "# Openness report: " + escape_text(string_member(report, "repo")) + "\n\n";
  md += "Revision " + escape_text(string_member(report, "revision"));
  if (!string_member(report, "ref").empty())
    md += " (" + escape_text(string_member(report, "ref")) + ")";
  md += ", " + escape_text(string_member(report, "generatedFrom")) + ".\n\n";

  const json& mof = member(report, "mof");
  const json& mof_class = member(mof, "class");
  md += "**MOF class:** ";
  if (mof_class.is_string()) {
    md += "Class " + escape_text(mof_class.get<std::string>()) + " (" +
          escape_text(string_member(mof, "className")) + ")";
  } else {
    md += "none";
  }
  const json& verified_class = member(mof, "verifiedClass");
  md += "; counting only what the hub verified: " +
        (verified_class.is_string() ? "Class " + escape_text(verified_class.get<std::string>())
                                    : std::string("none")) +
        "\n\n";
  if (auto next = plain(member(mof, "missingForNextClass")); !next.empty()) {
    md += "Missing for the next class: " + escape_text(next) + "\n\n";
  }

  md += "## Model Openness Framework components\n\n";
  md += "| Component | Class | Status | Verification | Licence | Evidence | Note |\n";
  md += "|---|---|---|---|---|---|---|\n";
  const json& components = member(mof, "components");
  for (const auto& component : components.is_array() ? components : json::array()) {
    std::string name = plain(member(component, "name"));
    if (member(component, "required") == false) name += " (optional)";
    md += "| " + cell(name) + " | " + cell(member(component, "class")) + " | " +
          cell(member(component, "status")) + " | " + cell(member(component, "verification")) +
          " | " + cell(member(component, "license")) + " | " + cell(member(component, "evidence")) +
          " | " + cell(member(component, "note")) + " |\n";
  }

  const json& osaid = member(report, "osaid");
  md += "\n## Open Source AI Definition 1.0\n\n";
  md += std::string("Meets the definition: ") + (member(osaid, "meets") == true ? "yes" : "no") +
        "\n\n";
  const json& elements = member(osaid, "elements");
  for (const auto& item : elements.is_array() ? elements : json::array()) {
    md += "- **" + escape_text(plain(member(item, "name"))) +
          "**: " + escape_text(plain(member(item, "status")));
    if (auto verification = plain(member(item, "verification")); !verification.empty()) {
      md += " (" + escape_text(verification) + ")";
    }
    if (auto missing = plain(member(item, "missing")); !missing.empty()) {
      md += "; missing: " + escape_text(missing);
    }
    md += "\n";
  }

  const json& eu = member(report, "euTrainingDataSummary");
  md += "\n## EU AI Act training-content summary (draft)\n\n";
  md += escape_text(string_member(eu, "template")) + "\n\n";
  const json& sections = member(eu, "sections");
  for (const auto& [number, section] : (sections.is_object() ? sections : empty_object()).items()) {
    md += "- **" + escape_text(number) + " " + escape_text(string_member(section, "title")) + "**";
    std::string details;
    for (const auto& [key, value] : (section.is_object() ? section : empty_object()).items()) {
      if (key == "title") continue;
      std::string text = plain(value);
      if (text.empty()) continue;
      if (!details.empty()) details += "; ";
      details += key + ": " + text;
    }
    md += details.empty() ? "\n" : ": " + escape_text(details) + "\n";
  }
  const json& missing = member(eu, "missing");
  if (missing.is_array() && !missing.empty()) {
    md += "\n### Missing\n\n";
    for (const auto& item : missing) md += "- " + escape_text(plain(item)) + "\n";
  }

  const json& warnings = member(report, "warnings");
  if (warnings.is_array() && !warnings.empty()) {
    md += "\n## Warnings\n\n";
    for (const auto& item : warnings) md += "- " + escape_text(plain(item)) + "\n";
  }
  return md;
}

}  // namespace vitrine::service
