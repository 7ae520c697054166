/// notify-unit.conf(5) in mdoc, made from `Settings.documentation`, so the
/// page lists every key the code knows and no other.
public enum SettingsManualPage {
  /// `date` as mdoc wants it ("December 1, 2026"): the package's own date,
  /// not today's, so that the page is reproducible.
  public static func render(date: String) -> String {
    var page = """
      .Dd \(escaped(date))
      .Dt NOTIFY-UNIT.CONF 5
      .Os
      .Sh NAME
      .Nm notify-unit.conf
      .Nd settings of notify-unit
      .Sh SYNOPSIS
      .Pa /etc/notify-unit.conf
      .Sh DESCRIPTION
      Every run of
      .Xr notify-unit 1
      reads its settings from
      .Pa /etc/notify-unit.conf ,
      or the file given with
      .Fl \\-config .
      The syntax is that of systemd's
      .Cm EnvironmentFile= :
      one
      .Ar KEY Ns = Ns Ar VALUE
      a line, values optionally in single or double quotes, lines starting with
      .Ql #
      or
      .Ql \\&;
      ignored, so the same file can serve a unit's
      .Cm EnvironmentFile= .
      A missing default file is fine.
      Each key is also a flag of the command line, which wins over the file:
      .Ev MAIL_TO
      is
      .Fl \\-mail\\-to .
      An unknown key or a bad value is reported on standard error with its line
      number and skipped: the report still goes out.
      .Sh SETTINGS
      .Bl -tag -width Ds

      """
    for doc in Settings.documentation {
      page += ".It Ev \(doc.key)\n"
      page += escaped(doc.meaning) + "\n"
      page += ".Pp\n"
      page += "Default: " + escaped(doc.defaultValue) + ".\n"
      if let flag = doc.flag, let value = doc.flagValue {
        // .Fl adds the first hyphen itself.
        page += "Flag:\n.Fl \(escaped(String(flag.dropFirst())))"
        if !value.isEmpty { page += " Ar \(escaped(value))" }
        page += doc.repeatable ? " ,\nrepeatable.\n" : " .\n"
      } else {
        page += "No flag: the config file only.\n"
      }
    }
    page += """
      .El
      .Sh CREDENTIALS IN FILES OF THEIR OWN

      """
    page += "A value of\n"
    page += Settings.secretKeys.map { ".Ev \($0)" }.joined(separator: " or\n")
    page += """

      may carry credentials
      .Pq Ql user:password@ .
      .Ev KEY Ns _FILE= Ns Ar PATH
      reads that key's value from the first line of
      .Ar PATH
      instead, a file only the reporting users can read.
      A config file that holds credentials itself and that others can read
      draws a warning.
      .Sh FILES
      .Bl -tag -width Ds
      .It Pa /etc/notify-unit.conf
      The default config file.
      .It Pa /var/lib/notify-unit/ Ns Ar USER
      The state directory of each reporting user (the units'
      .Cm StateDirectory= ) :
      last outcomes, last reports and the spool.
      .El
      .Sh EXAMPLES
      .Bd -literal -offset indent
      MAIL_TO=root, admin@example.org
      SMTP_URL=smtp://127.0.0.1
      MAIL_ON_backup_service=always
      .Ed
      .Sh SEE ALSO
      .Xr notify-unit 1 ,
      .Xr systemd.exec 5 ,
      .Xr systemd.service 5

      """
    return page
  }

  /// Text safe on an mdoc line: backslashes as \e, a leading dot or quote
  /// guarded, hyphens as \- so they stay hyphens in every output.
  static func escaped(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "\\": out += "\\e"
      case "-": out += "\\-"
      default: out.append(c)
      }
    }
    if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
    return out
  }
}
