@echo off
rem berth - the Berth app's command line. Runs the installed Berth.exe as
rem   Berth.exe --berth-cli ARGS...
rem The app runs the CLI in a Node utility process; no window opens. This file lives in
rem <install dir>\resources\cli\ - add that directory to PATH.
setlocal
set "BERTH_APP=%~dp0..\..\Berth.exe"
if not exist "%BERTH_APP%" goto missing
"%BERTH_APP%" --berth-cli %*
exit /b %ERRORLEVEL%
:missing
echo berth: Berth.exe was not found two folders above this launcher 1>&2
exit /b 127
