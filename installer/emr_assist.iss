; Inno Setup script: a Windows installer around the PyInstaller one-folder build.
;
;   1. On Windows, build the folder:  py -3.11 -m venv .venv-build
;                                     .venv-build\Scripts\pip install "pyinstaller>=6.10,<7" ".[gui]"
;                                     .venv-build\Scripts\pyinstaller --noconfirm --distpath dist ^
;                                         --workpath build\pyinstaller installer\emr_assist.spec
;   2. Then:                          iscc installer\emr_assist.iss
;      -> dist\EMRSummaryAssistant-0.1.0-setup.exe
;
; Per-user install by default (no administrator rights needed on a locked-down clinic PC); an
; administrator can choose "install for all users". Uninstalling removes the program files only:
; settings, the audit log and imported models stay in %LOCALAPPDATA%\EMRSummaryAssistant (the
; uninstaller asks whether to remove them too).

#define AppName "EMR Summary Assistant"
#define AppVersion "0.1.0"
#define AppExe "emr-assist-gui.exe"
#define DataFolder "EMRSummaryAssistant"

[Setup]
AppId={{6C1E6A52-2F0B-4E0C-9C55-3C0D5A8E7B21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\EMRSummaryAssistant
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=EMRSummaryAssistant-{#AppVersion}-setup
SetupIconFile=..\resources\icons\emr-assist.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
DisableProgramGroupPage=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[Files]
Source: "..\dist\emr-assist\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  if CurUninstallStep = usPostUninstall then
  begin
    DataDir := ExpandConstant('{localappdata}\{#DataFolder}');
    if DirExists(DataDir) and (not UninstallSilent) then
      if MsgBox('Also delete the app''s settings, audit log, history and imported models in ' + DataDir + '?',
                mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
      begin
        DelTree(DataDir, True, True, True);
        RegDeleteKeyIncludingSubkeys(HKEY_CURRENT_USER, 'Software\{#DataFolder}');
      end;
  end;
end;
